/**
 * What every layer of the engine shares during one `handle` call: the
 * config, the clock reading passed in, the output list being built, the
 * traffic counters, the armed timers, a read-only view of the room, and the
 * channel layers raise their events on. Layers never keep a reference to
 * `out` across calls. Tests give a layer a Context of its own (see
 * `testContext`) and read what it sent, armed and raised.
 */
import type { EngineOutput, PeerId } from '../engine/types.js';
import type { GossipConfig } from './config.js';
import type { LayerEvent } from './events.js';
import type { Timer } from './timers.js';
import { encodeFrame, type Frame, type MemberStatus } from './wire/frames.js';
import type { WireLimits } from './wire/limits.js';

export interface EngineStats {
  msgsOut: number;
  bytesOut: number;
  msgsIn: number;
  bytesIn: number;
  duplicates: number;
  /** New messages not passed on because they told us nothing new (state we already held, see Broadcast.relay). */
  staleNotRelayed: number;
  malformed: number;
  connectAttempts: number;
  refusals: number;
  /** Dials across a split the tree root found (Overlay.healSplit). */
  splitDials: number;
  /** Dials past a neighbour that was our only way to the rest of the room (Overlay.bridgeCut). */
  cutDials: number;
  /** Dials called off (and, to a peer that may be alive, started again) when the server listed their peer (Overlay.redialStuck). */
  stuckDials: number;
  probes: number;
  probeFailures: number;
  /** Former neighbours (link closed without a goodbye) that relayed pings could not reach. */
  verifyFailures: number;
  refutations: number;
  /** Verdicts on a neighbour our own link vouched for, held as suspicions instead (see RoomView.vouches). */
  verdictsHeld: number;
  /** DEAD verdicts about a member we held alive, never accused in our hearing: held as suspicions (Liveness.applyGossip). */
  verdictsUnaccused: number;
  /** Verdicts more than VERDICT_WINDOW above the accused's incarnation as we knew it, held as suspicions at that incarnation (see liveness.ts). */
  verdictsBounded: number;
  /** Active links that closed without a goodbye. */
  linkFailures: number;
  /** Payloads retransmitted on tree links / sent in answer to a GRAFT. */
  resends: number;
  pullsServed: number;
  /** GRAFT entries not served: that neighbour had its GRAFT_SERVES copies of the id already. */
  graftsRefused: number;
  /** Routes to non-members dropped to keep STRANGER_ROUTES (routing.ts). */
  routesDropped: number;
  /** Messages dropped because their signature or key did not check out (trust.ts). */
  badSignatures: number;
  /** Messages refused because their id is older than any still remembered for that origin (Broadcast floors). */
  replaysRefused: number;
}

export function emptyStats(): EngineStats {
  return {
    msgsOut: 0,
    bytesOut: 0,
    msgsIn: 0,
    bytesIn: 0,
    duplicates: 0,
    staleNotRelayed: 0,
    malformed: 0,
    connectAttempts: 0,
    refusals: 0,
    splitDials: 0,
    cutDials: 0,
    stuckDials: 0,
    probes: 0,
    probeFailures: 0,
    verifyFailures: 0,
    refutations: 0,
    verdictsHeld: 0,
    verdictsUnaccused: 0,
    verdictsBounded: 0,
    linkFailures: 0,
    resends: 0,
    pullsServed: 0,
    graftsRefused: 0,
    routesDropped: 0,
    badSignatures: 0,
    replaysRefused: 0,
  };
}

/** What layers may read about the room beyond their own state (the router keeps it current). */
export interface RoomView {
  /** The active view: open links that finished their handshake. */
  readonly neighbors: ReadonlySet<PeerId>;
  statusOf(peer: PeerId): MemberStatus | undefined;
  /** Live members other than self. */
  readonly liveCount: number;
  livePeers(): PeerId[];
  readonly selfIncarnation: number;
  /** A link to `peer` is up or being negotiated. */
  dialing(peer: PeerId): boolean;
  /**
   * `peer` is a neighbour we heard from since it fell under suspicion (or,
   * with no suspicion of ours, within the last probe period): our own link
   * says it is alive, so a verdict on it must not stand here (see
   * FailureDetector.vouches).
   */
  vouches(peer: PeerId): boolean;
  /** Neighbour `peer` is known to hold a link besides ours (tree adverts, routes through it). */
  linkedElsewhere(peer: PeerId): boolean;
  /** The broadcast tree's root as we last derived it (the smallest live id in our part of the link graph). */
  readonly treeRoot: PeerId;
  /** Neighbour `peer`'s own neighbours, as its last TREE frame listed them (undefined: unknown or possibly stale). */
  neighborsOf(peer: PeerId): ReadonlySet<PeerId> | undefined;
}

export class Context {
  readonly config: GossipConfig;
  readonly self: PeerId;
  readonly limits: WireLimits;
  readonly stats: EngineStats = emptyStats();
  now = 0;
  out: EngineOutput[] = [];
  view: RoomView;
  /** Where raised events go: the router installs itself; a layer tested alone keeps them in `events`. */
  route: (event: LayerEvent) => void = (event) => this.events.push(event);
  readonly events: LayerEvent[] = [];
  /** Timers that fired late and were put back one turn (see GossipEngine.onTimer); their next firing runs. */
  readonly deferred = new Set<Timer>();
  /** Armed timers and when each is due. */
  private readonly timers = new Map<Timer, number>();

  constructor(config: GossipConfig, view?: RoomView) {
    this.config = config;
    this.self = config.selfId;
    this.limits = config.limits;
    this.view = view ?? { neighbors: new Set(), statusOf: () => undefined, liveCount: 0, livePeers: () => [], selfIncarnation: config.initialIncarnation, dialing: () => false, vouches: () => false, linkedElsewhere: () => false, treeRoot: config.selfId, neighborsOf: () => undefined };
  }

  sendBytes(to: PeerId, bytes: Uint8Array): void {
    this.stats.msgsOut += 1;
    this.stats.bytesOut += bytes.length;
    this.out.push({ type: 'send', to, bytes });
  }

  send(to: PeerId, frame: Frame): void {
    this.sendBytes(to, encodeFrame(frame));
  }

  emit(output: EngineOutput): void {
    this.out.push(output);
  }

  raise(event: LayerEvent): void {
    this.route(event);
  }

  /** Arms `timer` for `at`, unless it is already armed for no later: the earliest deadline wins. */
  setTimer(timer: Timer, at: number): void {
    const armed = this.timers.get(timer);
    if (armed !== undefined && armed <= at) return;
    this.timers.set(timer, at);
    this.out.push({ type: 'set-timer', timer, at });
  }

  /** Arms `timer` for exactly `at` (later or earlier than now armed), or disarms it for Infinity. */
  resetTimer(timer: Timer, at: number): void {
    if (at === Infinity) {
      this.clearTimer(timer);
      return;
    }
    if (this.timers.get(timer) === at) return;
    this.timers.set(timer, at);
    this.out.push({ type: 'set-timer', timer, at });
  }

  clearTimer(timer: Timer): void {
    if (!this.timers.delete(timer)) return;
    this.out.push({ type: 'clear-timer', timer });
  }

  /** When `timer` is due, or undefined if it is not armed. */
  deadline(timer: Timer): number | undefined {
    return this.timers.get(timer);
  }

  /** A timer fired: it is no longer armed. */
  fired(timer: Timer): void {
    this.timers.delete(timer);
  }

  /** Disarms every timer (leave). */
  clearAllTimers(): void {
    for (const timer of [...this.timers.keys()]) this.clearTimer(timer);
  }

  armedTimers(): ReadonlyMap<Timer, number> {
    return this.timers;
  }
}
