/**
 * WebRTC link negotiation as the client's link manager runs it
 * (client/src/link-manager.ts, room-wiring.ts `sendSignal`): the dialer's
 * offer and ICE candidate must reach the far end, its answer and candidate
 * must come back, then ICE, DTLS and SCTP take a few more latencies on the
 * direct path. A signal goes out the ways the driver sends it: through each
 * signaling server both ends have joined, and into the sender's engine as
 * `{type:'route'}` (the far engine emits `routed`), so it takes whatever
 * path and latency the mesh really offers (always, as today's client does,
 * or only when no server carried it: SimulatorOptions.meshSignals). A handshake not
 * done within the driver's handshake timeout fails (`link-down` to the
 * dialer); a signal that can go nowhere (no server, no neighbour) fails it at once.
 */
import type { PeerId } from '../engine/types.js';

export type SignalKind = 'offer' | 'dialer-candidate' | 'answer' | 'answerer-candidate';

/** First byte of a routed payload that is a simulated signal (the real client's MESH_SIGNAL_CHANNEL). */
const SIGNAL_CHANNEL = 0;
/** Second byte: marks the simulator's own encoding. */
const SIM_MARK = 0x53;
const KINDS: readonly SignalKind[] = ['offer', 'dialer-candidate', 'answer', 'answerer-candidate'];

export function encodeSignal(sid: number, kind: SignalKind): Uint8Array {
  const out = new Uint8Array(7);
  out[0] = SIGNAL_CHANNEL;
  out[1] = SIM_MARK;
  out[2] = KINDS.indexOf(kind);
  new DataView(out.buffer).setUint32(3, sid);
  return out;
}

export function decodeSignal(payload: Uint8Array): { sid: number; kind: SignalKind } | undefined {
  if (payload.length !== 7 || payload[0] !== SIGNAL_CHANNEL || payload[1] !== SIM_MARK) return undefined;
  const kind = KINDS[payload[2] as number];
  if (kind === undefined) return undefined;
  return { sid: new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(3), kind };
}

export interface Handshake {
  readonly sid: number;
  readonly dialer: PeerId;
  readonly answerer: PeerId;
  readonly startedAt: number;
  readonly got: Set<SignalKind>;
  answered: boolean;
  /** 'open' once both ends saw link-up; 'failed' or 'cancelled' end it too. */
  state: 'signalling' | 'ice' | 'open' | 'failed' | 'cancelled';
}

/** What the handshakes need from the simulator. */
export interface HandshakeHost {
  now(): number;
  schedule(at: number, fn: () => void): void;
  /** How long ICE, DTLS and SCTP take on the direct path once the signals are through, ms. */
  iceMs(): number;
  /** Relays a signal through every server both ends are on; false if the sender is on none. */
  relay(from: PeerId, to: PeerId, deliver: () => void): boolean;
  /** Route every signal over the mesh too, or only those no server carried. */
  readonly meshAlways: boolean;
  /** Feeds the signal into the sender's engine as `{type:'route'}` (its arrival comes back through `arrived`). */
  route(from: PeerId, to: PeerId, sid: number, kind: SignalKind): void;
  hasNeighbours(id: PeerId): boolean;
  /** Both ends up and the direct path open (no partition between them). */
  canConnect(a: PeerId, b: PeerId): boolean;
  opened(dialer: PeerId, answerer: PeerId): void;
  failed(dialer: PeerId, answerer: PeerId): void;
}

export class Handshakes {
  private readonly host: HandshakeHost;
  private readonly timeoutMs: number;
  /** In flight by pair (one per pair: the second dialer of a glare waits for the first's link), and by session id. */
  private readonly byPair = new Map<string, Handshake>();
  private readonly bySid = new Map<number, Handshake>();
  private nextSid = 1;

  constructor(host: HandshakeHost, timeoutMs: number) {
    this.host = host;
    this.timeoutMs = timeoutMs;
  }

  get inFlight(): number {
    return this.bySid.size;
  }

  start(dialer: PeerId, answerer: PeerId): void {
    const key = pairKey(dialer, answerer);
    if (this.byPair.has(key)) return;
    const handshake: Handshake = { sid: this.nextSid++, dialer, answerer, startedAt: this.host.now(), got: new Set(), answered: false, state: 'signalling' };
    this.byPair.set(key, handshake);
    this.bySid.set(handshake.sid, handshake);
    this.host.schedule(this.host.now() + this.timeoutMs, () => this.fail(handshake));
    this.send(handshake, 'offer');
    this.send(handshake, 'dialer-candidate');
  }

  /** The dialer's engine gave up on the link (DISCONNECT of a pending peer): the link manager destroys it. */
  cancel(dialer: PeerId, answerer: PeerId): void {
    const handshake = this.byPair.get(pairKey(dialer, answerer));
    if (handshake?.dialer === dialer) this.end(handshake, 'cancelled');
  }

  /** A signal reached `at` (through a server or as a `routed` output of its engine). */
  arrived(sid: number, at: PeerId, kind: SignalKind): void {
    const handshake = this.bySid.get(sid);
    if (handshake?.state !== 'signalling' || handshake.got.has(kind)) return;
    if (at !== (fromDialer(kind) ? handshake.answerer : handshake.dialer)) return;
    const got = handshake.got;
    got.add(kind);
    if (!handshake.answered && got.has('offer') && got.has('dialer-candidate')) {
      handshake.answered = true;
      this.send(handshake, 'answer');
      this.send(handshake, 'answerer-candidate');
    }
    if (got.size === KINDS.length) {
      handshake.state = 'ice';
      this.host.schedule(this.host.now() + this.host.iceMs(), () => {
        if (handshake.state !== 'ice') return;
        // No direct path: ICE keeps checking until the handshake timeout fails it.
        if (!this.host.canConnect(handshake.dialer, handshake.answerer)) return;
        this.end(handshake, 'open');
        this.host.opened(handshake.dialer, handshake.answerer);
      });
    }
  }

  /** The real driver's sendSignal: through every server both ends are on, and into the engine as a route. */
  private send(handshake: Handshake, kind: SignalKind): void {
    const from = fromDialer(kind) ? handshake.dialer : handshake.answerer;
    const to = fromDialer(kind) ? handshake.answerer : handshake.dialer;
    const viaServer = this.host.relay(from, to, () => this.arrived(handshake.sid, to, kind));
    const viaMesh = this.host.hasNeighbours(from);
    if (this.host.meshAlways || !viaServer) this.host.route(from, to, handshake.sid, kind);
    // Nowhere to send it: the link manager drops the link at once.
    if (!viaServer && !viaMesh) this.host.schedule(this.host.now(), () => this.fail(handshake));
  }

  private fail(handshake: Handshake): void {
    if (handshake.state !== 'signalling' && handshake.state !== 'ice') return;
    this.end(handshake, 'failed');
    this.host.failed(handshake.dialer, handshake.answerer);
  }

  private end(handshake: Handshake, state: 'open' | 'failed' | 'cancelled'): void {
    handshake.state = state;
    this.bySid.delete(handshake.sid);
    const key = pairKey(handshake.dialer, handshake.answerer);
    if (this.byPair.get(key) === handshake) this.byPair.delete(key);
  }
}

function fromDialer(kind: SignalKind): boolean {
  return kind === 'offer' || kind === 'dialer-candidate';
}

export function pairKey(a: PeerId, b: PeerId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
