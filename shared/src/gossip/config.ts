/**
 * The gossip engine's one configuration object. Every default carries its
 * unit and the reason for its value (memberlist's DefaultLANConfig style).
 * `resolveConfig` merges `{...DEFAULTS, ...options}` and validates once,
 * throwing MurmurError(BAD_CONFIG) that names the bad field.
 */
import { ErrorCode, MurmurError } from '../errors.js';
import type { PeerId } from '../engine/types.js';
import type { Prng } from '../prng.js';

export interface GossipTuning {
  /** Most open links (active view). Chrome caps a tab at ~500 RTCPeerConnections over its life; 8 keeps a mesh of 1,000 at diameter ~5. */
  maxLinks: number;
  /** Links a node seeks on its own once the room outgrows a full mesh (it still accepts up to maxLinks). ~log2(N)+1 at N=32..1,000, and a margin below maxLinks so requests find room. */
  targetLinks: number;
  /** Passive view size (peer ids kept for repair). HyParView's ~30: enough candidates after a mass failure. */
  passiveViewSize: number;
  /** Coalesce presence to one broadcast per this many ms (16–1000; Liveblocks' 50 ms feels live at 20 Hz). */
  presenceThrottleMs: number;
  /** SWIM protocol period, ms: one neighbour probed per period. Hidden tabs clamp timers to 1 s anyway. */
  probeIntervalMs: number;
  /** Wait for a direct ack, ms, before the next try (six direct, then two with helpers). 50 ms links give ~100 ms RTT; a late ack still counts until the probe ends. */
  probeTimeoutMs: number;
  /** Wait for indirect acks, ms, after the direct timeout (the relayed path is a few hops longer). */
  indirectTimeoutMs: number;
  /** Helpers asked to probe indirectly (SWIM's k). 3 as in memberlist. */
  indirectProbes: number;
  /**
   * Suspicion minimum = mult × log10(N) × probe period (memberlist's 4 detects in ~12 s at N=1,000). 1: 3 s at
   * N=1,000 is still twice the p99 time for the suspect to hear of it over the tree and refute, and its neighbours
   * tell it at once with a flagged ping.
   */
  suspicionMult: number;
  /** Suspicion maximum = this × minimum, used when nobody confirms (Lifeguard). */
  suspicionMaxMult: number;
  /** Independent accusers that shrink suspicion to its minimum (Lifeguard's K). */
  suspicionConfirmations: number;
  /** Lifeguard local health ceiling: probe period and timeouts stretch up to (1 + this)×. */
  maxHealth: number;
  /** Anti-entropy period, ms: one digest to one neighbour. Every survivor converges within a few periods. */
  antiEntropyIntervalMs: number;
  /** Passive-view shuffle period, ms. Views only need to stay fresh over minutes. */
  shuffleIntervalMs: number;
  /** Overlay repair check period, ms: below maxLinks, try one candidate per check. */
  maintainIntervalMs: number;
  /** Longest back-off between refused or failed link attempts, ms (each attempt costs a WebRTC negotiation). */
  maxConnectBackoffMs: number;
  /** Period for reconnecting to a member judged dead, ms (Serf's reconnect): heals partitions. */
  reconnectIntervalMs: number;
  /** Batch IHAVE announcements for this long, ms: one frame per neighbour per batch. Tree links recover their own losses (acks); IHAVEs only cover a dead parent, so 500 ms costs little latency and halves the frames (cpu −23% at N=400). */
  lazyFlushMs: number;
  /** Batch payload acknowledgements for this long, ms. */
  ackFlushMs: number;
  /** Retransmit a payload on a tree link unacknowledged for this long, ms (ack batching + RTT + margin for a 4x latency tail). */
  ackTimeoutMs: number;
  /** Wait after an IHAVE before pulling (GRAFT), ms: longer than a tree-link retransmission, so pulls only cover a dead parent. */
  graftTimeoutMs: number;
  /** Wait before grafting from the next announcer, ms. */
  graftRetryMs: number;
  /** Keep seen ids this long, ms (payloads, for retransmissions and GRAFT answers, at most 10 s). */
  messageTtlMs: number;
  /** HyParView ARWL: forward-join random-walk length. */
  forwardJoinTtl: number;
  /** HyParView PRWL: hop at which the walk leaves the newcomer in the passive view. */
  passiveJoinTtl: number;
  /** Bootstrap candidates linked to at once on `discovered` with an empty view. */
  joinContacts: number;
  /** Hop limit of a routed message. Diameter of an 8-link mesh of 10,000 is ~6. */
  routeTtl: number;
  /** Largest presence JSON, bytes (local and remote). */
  maxPresenceBytes: number;
  /** Largest app payload (broadcast or routed), bytes. Chrome drops messages over 256 KiB. */
  maxPayloadBytes: number;
  /** Longest peer id, bytes. */
  maxPeerIdBytes: number;
  /** Soft size target for an anti-entropy frame, bytes (16 KiB interoperates across browsers). */
  maxFrameBytes: number;
  /**
   * Room-wide membership (default true): every member announces itself and anti-entropy keeps every
   * member's record everywhere, so `peer-join`/`peer-leave` cover the whole room. That is O(N) state
   * per tab and O(N²) in a simulator process; false keeps only what a tab hears (neighbours,
   * publishers, verdicts) and turns anti-entropy off. The simulator uses it for 10,000-peer runs.
   */
  roomMembership: boolean;
  /** First incarnation. Pass e.g. seconds since the epoch so a reloaded tab reusing its id outranks its old verdicts. */
  initialIncarnation: number;
}

export interface GossipOptions extends Partial<GossipTuning> {
  selfId: PeerId;
  rng: Prng;
}

export type GossipConfig = GossipTuning & { selfId: PeerId; rng: Prng };

export const GOSSIP_DEFAULTS: Readonly<GossipTuning> = {
  maxLinks: 8,
  targetLinks: 6,
  passiveViewSize: 30,
  presenceThrottleMs: 50,
  probeIntervalMs: 1000,
  probeTimeoutMs: 200,
  indirectTimeoutMs: 400,
  indirectProbes: 3,
  suspicionMult: 1,
  suspicionMaxMult: 4,
  suspicionConfirmations: 3,
  maxHealth: 8,
  antiEntropyIntervalMs: 3000,
  shuffleIntervalMs: 30_000,
  maintainIntervalMs: 1000,
  maxConnectBackoffMs: 30_000,
  reconnectIntervalMs: 10_000,
  lazyFlushMs: 500,
  ackFlushMs: 100,
  ackTimeoutMs: 300,
  graftTimeoutMs: 750,
  graftRetryMs: 200,
  messageTtlMs: 60_000,
  forwardJoinTtl: 4,
  passiveJoinTtl: 2,
  joinContacts: 2,
  routeTtl: 16,
  maxPresenceBytes: 4096,
  maxPayloadBytes: 256 * 1024,
  maxPeerIdBytes: 64,
  maxFrameBytes: 16 * 1024,
  initialIncarnation: 0,
  roomMembership: true,
};

/** Inclusive bounds per field; integers unless listed in FRACTIONAL. */
type NumericTuning = Exclude<keyof GossipTuning, 'roomMembership'>;

const BOUNDS: Readonly<Record<NumericTuning, readonly [number, number]>> = {
  maxLinks: [1, 8],
  targetLinks: [1, 8],
  passiveViewSize: [0, 1000],
  presenceThrottleMs: [16, 1000],
  probeIntervalMs: [50, 60_000],
  probeTimeoutMs: [10, 60_000],
  indirectTimeoutMs: [10, 60_000],
  indirectProbes: [0, 8],
  suspicionMult: [0.1, 100],
  suspicionMaxMult: [1, 100],
  suspicionConfirmations: [0, 32],
  maxHealth: [0, 64],
  antiEntropyIntervalMs: [100, 600_000],
  shuffleIntervalMs: [100, 3_600_000],
  maintainIntervalMs: [50, 600_000],
  maxConnectBackoffMs: [0, 3_600_000],
  reconnectIntervalMs: [100, 3_600_000],
  lazyFlushMs: [1, 10_000],
  ackFlushMs: [1, 10_000],
  ackTimeoutMs: [1, 60_000],
  graftTimeoutMs: [1, 60_000],
  graftRetryMs: [1, 60_000],
  messageTtlMs: [1000, 3_600_000],
  forwardJoinTtl: [0, 16],
  passiveJoinTtl: [0, 16],
  joinContacts: [1, 8],
  routeTtl: [1, 255],
  maxPresenceBytes: [2, 1 << 20],
  maxPayloadBytes: [1, 1 << 24],
  maxPeerIdBytes: [1, 1024],
  maxFrameBytes: [256, 1 << 20],
  initialIncarnation: [0, Number.MAX_SAFE_INTEGER],
};

const FRACTIONAL = new Set<NumericTuning>(['suspicionMult', 'suspicionMaxMult']);

function bad(field: string, why: string): MurmurError {
  return new MurmurError(ErrorCode.BAD_CONFIG, `gossip option ${field}: ${why}`);
}

export function resolveConfig(options: GossipOptions): GossipConfig {
  const config: GossipConfig = { ...GOSSIP_DEFAULTS, ...options };
  if (typeof config.selfId !== 'string' || config.selfId.length === 0) throw bad('selfId', 'must be a non-empty string');
  if (new TextEncoder().encode(config.selfId).length > config.maxPeerIdBytes) throw bad('selfId', `longer than maxPeerIdBytes (${config.maxPeerIdBytes})`);
  if (typeof config.rng?.next !== 'function') throw bad('rng', 'must be a Prng (createPrng(seed))');
  if (typeof config.roomMembership !== 'boolean') throw bad('roomMembership', 'must be a boolean');
  for (const key of Object.keys(BOUNDS) as NumericTuning[]) {
    const value: unknown = config[key];
    const [min, max] = BOUNDS[key];
    if (typeof value !== 'number' || Number.isNaN(value)) throw bad(key, `must be a number, got ${String(value)}`);
    if (!FRACTIONAL.has(key) && !Number.isInteger(value)) throw bad(key, `must be an integer, got ${value}`);
    if (value < min || value > max) throw bad(key, `must be within ${min}–${max}, got ${value}`);
  }
  if (config.targetLinks > config.maxLinks) throw bad('targetLinks', `must not exceed maxLinks (${config.maxLinks})`);
  if (config.passiveJoinTtl > config.forwardJoinTtl) throw bad('passiveJoinTtl', 'must not exceed forwardJoinTtl');
  return config;
}
