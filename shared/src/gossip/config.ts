/**
 * The gossip engine's one configuration object, nested by layer. Every
 * tunable lives here (none as a module constant), each default with its unit
 * and the reason for its value (memberlist's DefaultLANConfig style), and
 * every other layer and the client read their limits from it.
 * `resolveConfig` merges `{...DEFAULTS, ...options}` per group and validates
 * once, throwing MurmurError(BAD_CONFIG) that names the bad field
 * (`detector.probeIntervalMs`).
 */
import { ErrorCode, MurmurError } from '../errors.js';
import type { PeerId } from '../engine/types.js';
import type { Prng } from '../prng.js';
import { trustProblem, type EngineTrust } from './trust.js';
import { MAX_COUNTER } from './wire/counter.js';

export interface OverlayTuning {
  /** Most open links (active view). Chrome caps a tab at ~500 RTCPeerConnections over its life; 8 keeps a mesh of 1,000 at diameter ~5. */
  maxLinks: number;
  /** Links a node seeks on its own once the room outgrows a full mesh (it still accepts up to maxLinks). ~log2(N)+1 at N=32..1,000, and a margin below maxLinks so requests find room. */
  targetLinks: number;
  /** Passive view size (peer ids kept for repair). HyParView's ~30: enough candidates after a mass failure. */
  passiveViewSize: number;
  /** Passive-view shuffle period, ms. Views only need to stay fresh over minutes. */
  shuffleIntervalMs: number;
  /** Overlay repair check period, ms: below maxLinks, try one candidate per check. */
  maintainIntervalMs: number;
  /** Longest back-off between refused or failed link attempts, ms (each attempt costs a WebRTC negotiation). */
  maxConnectBackoffMs: number;
  /** HyParView ARWL: forward-join random-walk length. */
  forwardJoinTtl: number;
  /** HyParView PRWL: hop at which the walk leaves the newcomer in the passive view. */
  passiveJoinTtl: number;
  /**
   * Random walks started for each newcomer (HyParView starts one per active neighbour of the contact). Each
   * ends in a link the far end must accept, evicting a neighbour if full, and every eviction reshapes the
   * broadcast tree; two walks plus the newcomer's own requests fill its view as well, at ~17% fewer messages
   * per join (measured at N=400, 10% loss).
   */
  forwardJoinFanout: number;
  /** Bootstrap candidates linked to at once on `discovered` with an empty view. */
  joinContacts: number;
  /** A link request with no answer for this long is abandoned, ms (WebRTC gives up on ICE after ~30 s). */
  pendingTimeoutMs: number;
  /**
   * A link the remote opened is closed if no HELLO comes over it for this long, ms. A dialer that gave up
   * while the link was negotiating never sends one, and the link would stay open, unused and counted
   * against maxLinks, on both ends.
   */
  helloWaitMs: number;
  /** Period for reconnecting to a member judged dead, ms (Serf's reconnect): heals partitions. */
  reconnectIntervalMs: number;
  /** Room-wide reconnect attempts to dead members wanted per reconnect period (each node tries with probability ~this/N). */
  reconnectsPerPeriod: number;
  /**
   * Room-wide links wanted to tabs a signaling server lists while we hold them dead (each node, on a server's
   * list, dials one with probability ~this/N). Such a list is how a healed partition shows itself: the other
   * side is back on the server, every tab on it held dead, and without a link no refutation can cross. A few
   * bridges suffice (the merge then runs over the mesh); one per tab would cost N negotiations and evictions.
   */
  bridgeDials: number;
}

export interface BroadcastTuning {
  /** Batch IHAVE announcements for this long, ms: one frame per neighbour per batch. Tree links recover their own losses (acks); IHAVEs only cover a dead parent, so 500 ms costs little latency and halves the frames (cpu −23% at N=400). */
  lazyFlushMs: number;
  /** Batch payload acknowledgements for this long, ms. */
  ackFlushMs: number;
  /** Retransmit a payload on a tree link unacknowledged for this long, ms (ack batching + RTT + margin for a 4x latency tail). */
  ackTimeoutMs: number;
  /** Retransmissions of a payload on a tree link before leaving it to the pull. */
  maxResends: number;
  /** Wait after an IHAVE before pulling (GRAFT), ms: longer than a tree-link retransmission, so pulls only cover a dead parent. */
  graftTimeoutMs: number;
  /** Wait before grafting from the next announcer, ms. */
  graftRetryMs: number;
  /** Keep seen ids this long, ms. */
  messageTtlMs: number;
  /** Keep payloads (for retransmissions and GRAFT answers) this long, ms, at most messageTtlMs: pulls come within a few graft retries, and a 1,000-peer simulation spent most of its heap on older payloads. */
  payloadCacheMs: number;
  /** Most entries in one IHAVE or GOT frame (keeps frames well under 16 KiB). */
  ihaveBatch: number;
  /**
   * Hop limit of a broadcast (its round): far above any tree path (depth ≤ maxTreeDistance), low enough that
   * a copy still travelling after the receivers forgot its id dies out instead of travelling the room again.
   */
  maxRounds: number;
  /** Own messages younger than this are announced on every new link, ms (a newcomer's first announcement went out on one link). */
  ownCatchUpMs: number;
  /** How many of our latest messages are kept for that announcement. */
  ownRecent: number;
  /** How many of the latest app messages (DATA) from others are announced on a new link too, if younger than ownCatchUpMs. */
  dataRecent: number;
  /** Longest tree path accepted, hops: far above any real depth, low enough to end count-to-infinity fast. */
  maxTreeDistance: number;
  /** Shortest gap between two unrequested repeats of our tree advert to one neighbour, ms. */
  treeRefreshMs: number;
}

export interface DetectorTuning {
  /** SWIM protocol period, ms: one neighbour probed per period. Hidden tabs clamp timers to 1 s anyway. */
  probeIntervalMs: number;
  /** Wait for a direct ack, ms, before the next try. 50 ms links give ~100 ms RTT; a late ack still counts until the probe ends. */
  probeTimeoutMs: number;
  /** Wait for indirect acks, ms, after the direct timeout (the relayed path is a few hops longer). */
  indirectTimeoutMs: number;
  /** Helpers asked to probe indirectly (SWIM's k). 3 as in memberlist. */
  indirectProbes: number;
  /** Fewest direct tries of a probe (clean links: a crash is accused after 1.2 s). */
  minDirectTries: number;
  /** Most direct tries of a probe (a new tab, or 10% loss: 2 s in all). */
  maxDirectTries: number;
  /** Chance, per probe, that every direct try fails by loss alone that the number of tries is planned for. */
  falseAccusationOdds: number;
  /** First-try miss rate assumed before any probe: as if at 10% loss, so a new tab starts careful. */
  initialMissRate: number;
  /** Weight of each probe's first try in the smoothed miss rate. */
  missRateWeight: number;
  /** The smoothed rate wanders (±0.06 at 10% loss) and a try too few multiplies false accusations by ~5: plan for this × the rate seen. */
  missRateMargin: number;
  /** Mean wait, in probe periods per neighbour, before each end of a link probes it again. */
  probeDuePeriods: number;
  /** Relayed rounds before a former neighbour whose link died is accused. */
  verifyRounds: number;
  /** How long a redial of an unreachable former neighbour may take to produce a link before we accuse it, ms. */
  redialWaitMs: number;
  /**
   * Suspicion minimum = mult × log10(N) × probe period (memberlist's 4 detects in ~12 s at N=1,000). 1: 3 s at
   * N=1,000 is still twice the p99 time for the suspect to hear of it over the tree and refute, and its neighbours
   * tell it at once with a flagged ping.
   */
  suspicionMult: number;
  /**
   * The floor of log10(N) in that minimum. 2: in a room under 100 a suspicion lasts at least two periods, so
   * with the probe trial a tab must be silent ~4 s before it is declared dead (a 3 s stall of a starved CPU,
   * a GC pause or a blocking native send, no longer costs a false DEAD in a small room; at 1 it did, 7 runs in
   * 1,000 of the 6-tab churn test with the simulator's `cpu` model). Rooms of 100 and more are unchanged.
   */
  suspicionMinScale: number;
  /** Suspicion maximum = this × minimum, used when nobody confirms (Lifeguard). */
  suspicionMaxMult: number;
  /** Independent accusers that shrink suspicion to its minimum (Lifeguard's K). */
  suspicionConfirmations: number;
  /** Probe periods a non-accuser waits past its suspicion timeout for an accuser's DEAD broadcast. */
  nonAccuserGracePeriods: number;
  /** Anti-entropy periods a newcomer waits before it may declare anyone dead, unless a first exchange syncs it sooner. */
  newcomerQuietPeriods: number;
  /**
   * A timer that fires more than this late raises our Lifeguard health by one (a starved thread probes
   * slower and suspects later), and a probe, suspicion or verify timer then waits one more turn so the
   * frames queued behind the stall are read before any verdict.
   */
  lateTimerMs: number;
  /** Lifeguard local health ceiling: probe period and timeouts stretch up to (1 + this)×. */
  maxHealth: number;
}

export interface AntiEntropyTuning {
  /** Period, ms: one digest to one neighbour. Every survivor converges within a few periods. */
  intervalMs: number;
  /** Soft size target for a RECORDS frame, bytes (16 KiB interoperates across browsers). */
  maxFrameBytes: number;
}

export interface PresenceTuning {
  /** Coalesce presence to one broadcast per this many ms (16–1000; Liveblocks' 50 ms feels live at 20 Hz). */
  throttleMs: number;
}

export interface LimitsTuning {
  /** Largest presence JSON, UTF-8 bytes (local and remote; the client's limit too). */
  maxPresenceBytes: number;
  /** Largest app payload (broadcast or routed), bytes. Chrome drops messages over 256 KiB. */
  maxPayloadBytes: number;
  /** Longest peer id, bytes. */
  maxPeerIdBytes: number;
  /** Most items in any list a peer sends (ids, records, buckets). */
  maxListItems: number;
  /** Hop limit of a routed message. Diameter of an 8-link mesh of 10,000 is ~6. */
  routeTtl: number;
  /** Hop limit of probe traffic (relayed pings and acks, at most routeTtl): past a few random steps it is cheaper to let the probe fail. */
  probeRouteTtl: number;
  /**
   * How long a dead or departed member's record (its tombstone) stays in the member table, the digest and the
   * routes, ms, counted from when we learnt the verdict. It must outlast the verdict's spread (a broadcast is
   * p99 1.6 s at N=1,000, anti-entropy a few 3 s periods) and any outage a split room should heal across by
   * reconnecting to members it holds dead (Serf's reconnect; the churn scenario's outages are 5 min): 10 min.
   * At issue 12's churn (20 departures a minute) that is ~200 rows at N=1,000. After it only the floor below
   * remembers the member (see Membership).
   */
  tombstoneTtlMs: number;
  /**
   * Most tombstones kept, in the table and, separately, in the compact floor (id → incarnation and verdict)
   * that refuses stale records once a tombstone expired; past it the oldest go first. A flood of verdicts
   * about made-up ids cannot grow either past it. 4096 floor entries are ~0.4 MB at 64-byte ids and cover
   * 3.4 hours of 20 departures a minute.
   */
  maxTombstones: number;
}

export interface GossipTuning {
  overlay: OverlayTuning;
  broadcast: BroadcastTuning;
  detector: DetectorTuning;
  antiEntropy: AntiEntropyTuning;
  presence: PresenceTuning;
  limits: LimitsTuning;
  /**
   * Room-wide membership (default true): every member announces itself and anti-entropy keeps every
   * member's record everywhere, so `peer-join`/`peer-leave` cover the whole room. That is O(N) state
   * per tab and O(N²) in a simulator process; false keeps only what a tab hears (neighbours,
   * publishers, verdicts) and turns anti-entropy off. The simulator uses it for 10,000-peer runs.
   */
  roomMembership: boolean;
  /**
   * First incarnation. Pass seconds since the epoch (the client does) so a reloaded tab reusing its id outranks
   * its old verdicts, and its broadcast sequence numbers start above its old session's (broadcast.ts
   * SEQ_PER_SECOND): peers refuse an id at or below the last one they forgot from that origin (a replay).
   */
  initialIncarnation: number;
}

type Group = 'overlay' | 'broadcast' | 'detector' | 'antiEntropy' | 'presence' | 'limits';

/** Options: any subset of each group. */
export type GossipOverrides = { [G in Group]?: Partial<GossipTuning[G]> } & Partial<Pick<GossipTuning, 'roomMembership' | 'initialIncarnation'>>;

export interface GossipOptions extends GossipOverrides {
  selfId: PeerId;
  rng: Prng;
  /** Signs what this tab originates and checks what others did: a key `selfId` is certified by (trust.ts). */
  trust: EngineTrust;
}

export type GossipConfig = GossipTuning & { selfId: PeerId; rng: Prng; trust: EngineTrust };

export const GOSSIP_DEFAULTS: Readonly<GossipTuning> = {
  overlay: {
    maxLinks: 8,
    targetLinks: 6,
    passiveViewSize: 30,
    shuffleIntervalMs: 30_000,
    maintainIntervalMs: 1000,
    maxConnectBackoffMs: 30_000,
    forwardJoinTtl: 4,
    passiveJoinTtl: 2,
    forwardJoinFanout: 2,
    joinContacts: 2,
    pendingTimeoutMs: 15_000,
    helloWaitMs: 5000,
    reconnectIntervalMs: 10_000,
    reconnectsPerPeriod: 2,
    bridgeDials: 4,
  },
  broadcast: {
    lazyFlushMs: 500,
    ackFlushMs: 100,
    ackTimeoutMs: 300,
    maxResends: 2,
    graftTimeoutMs: 750,
    graftRetryMs: 200,
    messageTtlMs: 60_000,
    payloadCacheMs: 10_000,
    ihaveBatch: 400,
    maxRounds: 64,
    ownCatchUpMs: 5000,
    ownRecent: 8,
    dataRecent: 16,
    maxTreeDistance: 32,
    treeRefreshMs: 1000,
  },
  detector: {
    probeIntervalMs: 1000,
    probeTimeoutMs: 200,
    indirectTimeoutMs: 400,
    indirectProbes: 3,
    minDirectTries: 2,
    maxDirectTries: 6,
    falseAccusationOdds: 1e-5,
    initialMissRate: 0.1,
    missRateWeight: 0.05,
    missRateMargin: 2,
    probeDuePeriods: 1.5,
    verifyRounds: 2,
    redialWaitMs: 3000,
    suspicionMult: 1,
    suspicionMinScale: 1,
    suspicionMaxMult: 4,
    suspicionConfirmations: 3,
    nonAccuserGracePeriods: 2,
    newcomerQuietPeriods: 3,
    lateTimerMs: 200,
    maxHealth: 8,
  },
  antiEntropy: { intervalMs: 3000, maxFrameBytes: 16 * 1024 },
  presence: { throttleMs: 50 },
  limits: { maxPresenceBytes: 4096, maxPayloadBytes: 256 * 1024, maxPeerIdBytes: 64, maxListItems: 4096, routeTtl: 16, probeRouteTtl: 6, tombstoneTtlMs: 600_000, maxTombstones: 4096 },
  roomMembership: true,
  initialIncarnation: 0,
};

/** Inclusive bounds of every numeric field; `true` third element: fractions allowed. */
type Bound = readonly [min: number, max: number, fractional?: boolean];

export const GOSSIP_BOUNDS: { readonly [G in Group]: Readonly<Record<keyof GossipTuning[G], Bound>> } = {
  overlay: {
    maxLinks: [1, 8],
    targetLinks: [1, 8],
    passiveViewSize: [0, 1000],
    shuffleIntervalMs: [100, 3_600_000],
    maintainIntervalMs: [50, 600_000],
    maxConnectBackoffMs: [0, 3_600_000],
    forwardJoinTtl: [0, 16],
    passiveJoinTtl: [0, 16],
    forwardJoinFanout: [0, 8],
    joinContacts: [1, 8],
    pendingTimeoutMs: [100, 600_000],
    helloWaitMs: [100, 600_000],
    reconnectIntervalMs: [100, 3_600_000],
    reconnectsPerPeriod: [0, 100, true],
    bridgeDials: [0, 100, true],
  },
  broadcast: {
    lazyFlushMs: [1, 10_000],
    ackFlushMs: [1, 10_000],
    ackTimeoutMs: [1, 60_000],
    maxResends: [0, 16],
    graftTimeoutMs: [1, 60_000],
    graftRetryMs: [1, 60_000],
    messageTtlMs: [1000, 3_600_000],
    payloadCacheMs: [1000, 3_600_000],
    ihaveBatch: [1, 4096],
    maxRounds: [1, 255],
    ownCatchUpMs: [0, 600_000],
    ownRecent: [0, 1024],
    dataRecent: [0, 1024],
    maxTreeDistance: [1, 255],
    treeRefreshMs: [1, 600_000],
  },
  detector: {
    probeIntervalMs: [50, 60_000],
    probeTimeoutMs: [10, 60_000],
    indirectTimeoutMs: [10, 60_000],
    indirectProbes: [0, 8],
    minDirectTries: [1, 16],
    maxDirectTries: [1, 16],
    falseAccusationOdds: [1e-12, 1, true],
    initialMissRate: [0, 1, true],
    missRateWeight: [0.001, 1, true],
    missRateMargin: [1, 100, true],
    probeDuePeriods: [0.1, 100, true],
    verifyRounds: [1, 16],
    redialWaitMs: [100, 600_000],
    suspicionMult: [0.1, 100, true],
    suspicionMinScale: [0, 10, true],
    suspicionMaxMult: [1, 100, true],
    suspicionConfirmations: [0, 32],
    nonAccuserGracePeriods: [0, 100, true],
    newcomerQuietPeriods: [0, 100, true],
    lateTimerMs: [1, 60_000],
    maxHealth: [0, 64],
  },
  antiEntropy: { intervalMs: [100, 600_000], maxFrameBytes: [256, 1 << 20] },
  presence: { throttleMs: [16, 1000] },
  limits: {
    maxPresenceBytes: [2, 1 << 20],
    maxPayloadBytes: [1, 1 << 24],
    maxPeerIdBytes: [1, 1024],
    maxListItems: [1, 1 << 20],
    routeTtl: [1, 255],
    probeRouteTtl: [1, 255],
    tombstoneTtlMs: [1000, 7 * 24 * 3_600_000],
    maxTombstones: [1, 1 << 20],
  },
};

const GROUPS: readonly Group[] = ['overlay', 'broadcast', 'detector', 'antiEntropy', 'presence', 'limits'];

function bad(field: string, why: string): MurmurError {
  return new MurmurError(ErrorCode.BAD_CONFIG, `gossip option ${field}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function resolveConfig(options: GossipOptions): GossipConfig {
  const merged: Record<string, unknown> = {};
  for (const group of GROUPS) {
    const given: unknown = options[group];
    if (given !== undefined && !isRecord(given)) throw bad(group, 'must be an object');
    const bounds: Record<string, Bound> = GOSSIP_BOUNDS[group];
    for (const key of Object.keys(given ?? {})) if (!(key in bounds)) throw bad(`${group}.${key}`, 'is not an option');
    const values: Record<string, unknown> = { ...GOSSIP_DEFAULTS[group], ...given };
    for (const [key, [min, max, fractional]] of Object.entries(bounds)) {
      const value = values[key];
      const field = `${group}.${key}`;
      if (typeof value !== 'number' || Number.isNaN(value)) throw bad(field, `must be a number, got ${String(value)}`);
      if (!fractional && !Number.isInteger(value)) throw bad(field, `must be an integer, got ${value}`);
      if (value < min || value > max) throw bad(field, `must be within ${min}–${max}, got ${value}`);
    }
    merged[group] = values;
  }
  const config = {
    ...(merged as Pick<GossipTuning, Group>),
    roomMembership: options.roomMembership ?? GOSSIP_DEFAULTS.roomMembership,
    initialIncarnation: options.initialIncarnation ?? GOSSIP_DEFAULTS.initialIncarnation,
    selfId: options.selfId,
    rng: options.rng,
    trust: options.trust,
  };
  if (typeof config.selfId !== 'string' || config.selfId.length === 0) throw bad('selfId', 'must be a non-empty string');
  if (new TextEncoder().encode(config.selfId).length > config.limits.maxPeerIdBytes) throw bad('selfId', `longer than limits.maxPeerIdBytes (${config.limits.maxPeerIdBytes})`);
  if (typeof config.rng?.next !== 'function') throw bad('rng', 'must be a Prng (createPrng(seed))');
  const trustWrong = trustProblem(config.trust);
  if (trustWrong !== undefined) throw bad('trust', trustWrong);
  if (typeof config.roomMembership !== 'boolean') throw bad('roomMembership', 'must be a boolean');
  const incarnation = config.initialIncarnation;
  if (typeof incarnation !== 'number' || !Number.isSafeInteger(incarnation) || incarnation < 0 || incarnation > MAX_COUNTER) {
    throw bad('initialIncarnation', `must be an integer from 0 to ${MAX_COUNTER}, got ${String(incarnation)}`);
  }
  if (config.overlay.targetLinks > config.overlay.maxLinks) throw bad('overlay.targetLinks', `must not exceed overlay.maxLinks (${config.overlay.maxLinks})`);
  if (config.overlay.passiveJoinTtl > config.overlay.forwardJoinTtl) throw bad('overlay.passiveJoinTtl', 'must not exceed overlay.forwardJoinTtl');
  if (config.detector.minDirectTries > config.detector.maxDirectTries) throw bad('detector.minDirectTries', 'must not exceed detector.maxDirectTries');
  return config;
}
