/**
 * lite-peer over real WebRTC (@roamhq/wrtc): it signals like simple-peer,
 * connects, keeps write() order under backpressure, and closes both ends.
 */
import wrtc from '@roamhq/wrtc';
import { describe, expect, it } from 'vitest';
import LitePeer, { isTcpCandidate, type SignalData } from './lite-peer.js';
import { until } from '../test/node-room-harness.js';

function pair() {
  const a = new LitePeer({ initiator: true, wrtc, config: { iceServers: [] } });
  const b = new LitePeer({ wrtc, config: { iceServers: [] } });
  const signals: string[] = [];
  a.on('signal', (data: SignalData) => {
    signals.push(`a:${String(data.type)}`);
    b.signal(data);
  });
  b.on('signal', (data: SignalData) => {
    signals.push(`b:${String(data.type)}`);
    a.signal(data);
  });
  return { a, b, signals };
}

describe('LitePeer', () => {
  it('connects, and write() delivers 4 MiB in order under backpressure', async () => {
    const { a, b, signals } = pair();
    let connected = 0;
    a.on('connect', () => connected++);
    b.on('connect', () => connected++);
    const received: Uint8Array[] = [];
    b.on('data', (chunk: Uint8Array) => received.push(chunk));
    await until(() => connected === 2, 'both ends to connect');
    expect(signals).toContain('a:offer');
    expect(signals).toContain('b:answer');

    const pieces = 256;
    let queuedPeak = 0;
    for (let i = 0; i < pieces; i++) {
      const piece = new Uint8Array(16 * 1024).fill(i % 251);
      piece[0] = i & 0xff;
      piece[1] = i >> 8;
      a.write(piece);
      queuedPeak = Math.max(queuedPeak, a.writableLength);
    }
    expect(queuedPeak).toBeGreaterThan(0);
    await until(() => received.length === pieces, 'every piece', 20_000);
    expect(received.map((p) => (p[0] as number) | ((p[1] as number) << 8))).toEqual(Array.from({ length: pieces }, (_, i) => i));
    expect(a.writableLength).toBe(0);

    let closed = 0;
    a.on('close', () => closed++);
    b.on('close', () => closed++);
    a.destroy();
    await until(() => closed === 2, 'both ends to close');
    expect(a.destroyed && b.destroyed).toBe(true);
    expect(() => a.send(new Uint8Array(1))).toThrow(/destroyed/);
  });

  it('rejects signal data it cannot use with an error, then closes', async () => {
    const peer = new LitePeer({ wrtc });
    const errors: Error[] = [];
    peer.on('error', (error: Error) => errors.push(error));
    peer.signal({ type: 'nonsense' });
    await until(() => peer.destroyed, 'the peer to close');
    expect((errors[0] as Error & { code?: string }).code).toBe('ERR_SIGNALING');
  });

  it('in Node sends no TCP candidate unless asked to (each would cost a socket per candidate pair)', async () => {
    const gather = (options: { tcpCandidates?: boolean }) => {
      const peer = new LitePeer({ initiator: true, wrtc, config: { iceServers: [] }, ...options });
      const candidates: string[] = [];
      peer.on('signal', (data: SignalData) => {
        if (data.type === 'candidate' && data.candidate?.candidate) candidates.push(data.candidate.candidate);
      });
      // An enum read, no SDP to serialise (see remoteApplied): safe under @roamhq/wrtc.
      const complete = () => (peer as unknown as { pc: RTCPeerConnection | null }).pc?.iceGatheringState === 'complete';
      return { peer, candidates, complete };
    };
    const withTcp = gather({ tcpCandidates: true });
    const byDefault = gather({});
    // The gathering state can read 'complete' before the last candidate events
    // reach JS (seen once under load): wait for the candidates themselves.
    await until(
      () => withTcp.candidates.some(isTcpCandidate) && byDefault.complete() && byDefault.candidates.length > 0,
      'a TCP candidate with tcpCandidates, and the default peer to finish gathering',
      20_000,
    );
    // This host does gather TCP candidates: the default drops them.
    expect(byDefault.candidates.filter(isTcpCandidate)).toEqual([]);
    withTcp.peer.destroy();
    byDefault.peer.destroy();
  });

  it('tells TCP candidate lines from UDP ones', () => {
    expect(isTcpCandidate('candidate:2398920056 1 tcp 1518214911 192.0.2.2 42389 typ host tcptype passive generation 0')).toBe(true);
    expect(isTcpCandidate('candidate:3229573512 1 udp 2122194687 192.0.2.2 56944 typ host generation 0')).toBe(false);
    expect(isTcpCandidate('candidate:1 1 TCP 1 10.0.0.1 9 typ host tcptype active')).toBe(true);
    expect(isTcpCandidate('')).toBe(false);
    expect(isTcpCandidate(undefined)).toBe(false);
  });
});
