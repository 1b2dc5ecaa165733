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
}
