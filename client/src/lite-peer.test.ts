/**
 * lite-peer over real WebRTC (@roamhq/wrtc): it signals like simple-peer,
 * connects, keeps write() order under backpressure, and closes both ends.
 */
import wrtc from '@roamhq/wrtc';
import { describe, expect, it } from 'vitest';
import LitePeer, { type SignalData } from './lite-peer.js';
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
});
