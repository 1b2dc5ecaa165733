/**
 * The engine's state as tests, the inspector and the simulator read it.
 */
import type { PeerId } from '../engine/types.js';
import type { EngineStats } from './context.js';
import type { MemberStatus } from './wire/frames.js';

export interface MemberSnapshot {
  peer: PeerId;
  status: MemberStatus;
  incarnation: number;
  presenceVersion: number;
}

/** How big the engine's tables are (cheap: every figure is a counter or a Map size). */
export interface EngineSizes {
  /** Rows in the member table other than self (live members and tombstones). */
  members: number;
  /** Rows of dead or departed members kept (for limits.tombstoneTtlMs, at most limits.maxTombstones) so stale news cannot resurrect them. */
  tombstones: number;
  /** Expired tombstones remembered only as id → (incarnation, verdict), so stale news cannot resurrect them; at most limits.maxTombstones. */
  floor: number;
  /** Buckets in our anti-entropy digest (grows with the member table). */
  digest: number;
  /** Next hops known (reverse-path routes). */
  routes: number;
  /** Broadcast ids remembered as seen. */
  seen: number;
}

export interface GossipSnapshot {
  selfId: PeerId;
  incarnation: number;
  health: number;
  active: PeerId[];
  passive: PeerId[];
  pending: PeerId[];
  eager: PeerId[];
  lazy: PeerId[];
  /** Broadcast tree: its root, our distance to it, our parent. */
  tree: { root: PeerId; distance: number; parent: PeerId | undefined };
  members: MemberSnapshot[];
  /** Smoothed RTT per neighbour from direct probe acks, ms. */
  rttMs: Record<PeerId, number>;
  stats: EngineStats;
  sizes: EngineSizes;
}
