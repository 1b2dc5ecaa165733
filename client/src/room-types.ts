/**
 * The types of `Room`'s public face, apart from the class so that the
 * session behind it (room-session.ts) can name them without importing room.ts.
 */
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import type { GossipSnapshot } from '../../shared/src/gossip/gossip-engine.js';
import type { ErrorCode } from '../../shared/src/errors.js';
import type { RoomMessage } from './app-message.js';
import type { LinkInfo } from './link-manager.js';
import type { SignalingError, SignalingRefusal, SignalingStatus } from './signaling-client.js';
import type { LinkTraffic, TrafficCounters } from './stats.js';
import type { RoomStatus } from './status.js';

export interface PeerInfo {
  readonly id: PeerId;
  readonly presence: Presence;
}

export type LeaveReason = 'left' | 'dead';

/** Event name → listener arguments. A type, not an interface: no index signature, so a misspelt name is a compile error. */
export type RoomEvents = {
  /** A peer joined, with its presence (the join waits briefly for it; see join-gate.ts). */
  'peer-join': [peer: PeerInfo];
  'peer-leave': [peer: PeerInfo, reason: LeaveReason];
  /** A remote peer's presence changed. */
  presence: [peer: PeerInfo];
  /** Bytes from a peer could not be decoded and were dropped. */
  malformed: [info: { from: PeerId; code: ErrorCode; message: string }];
  /**
   * A signaling server refused this tab for good (4401 bad or expired token, 4403 origin, or a join
   * refused with `error`: ROOM_FORBIDDEN, KEY_FORBIDDEN, PEER_KEY_MISMATCH, BAD_PEER_PROOF); it is not retried.
   */
  'signaling-refused': [info: SignalingRefusal];
  /** An app event sent with `room.broadcast(topic, data, { to? })`, once per message. */
  message: [message: RoomMessage];
  /** `room.status` changed. */
  status: [status: RoomStatus];
  /**
   * A signaling server sent an error frame (PEER_ID_TAKEN, ROOM_FULL, ROOM_FORBIDDEN,
   * TOO_MANY_ROOMS, UNAVAILABLE…), or none could be reached (SIGNALING_UNREACHABLE: a
   * wrong URL or nothing listening; retries go on, `room.status` is 'disconnected').
   */
  'signaling-error': [error: SignalingError];
};

/** `room.stats()`: a snapshot of counters since join. */
export interface RoomStats extends TrafficCounters {
  /** Other live members. */
  peers: number;
  /** Open WebRTC links, handshakes still running, and links closed because they failed to authenticate. */
  links: { open: number; connecting: number; refused: number };
  /** Per neighbour: frames/bytes and the last round-trip time. */
  perLink: LinkTraffic[];
  /**
   * Duplicates dropped: Yjs updates that arrived but added nothing (already
   * had them), plus the engine's dropped duplicate broadcasts when the
   * gossip engine's duplicate broadcasts dropped (`debug.snapshot().stats.duplicates`).
   */
  duplicatesDropped: number;
  /** Undecodable app-channel payloads dropped (also emitted as 'malformed'). */
  malformed: number;
  /** Doc sync: `refusedUpdates` counts broadcast updates under a clientID their sender does not own (MURMUR_FOREIGN_CLIENT_ID; also in `malformed`). */
  doc: { updatesSent: number; updatesReceived: number; duplicateUpdates: number; syncRounds: number; refusedUpdates: number };
}

export interface RoomPresence {
  /** Merge `patch` into this tab's presence (shallow) and share it. */
  update(patch: Presence): void;
  /** This tab's current presence. */
  get(): Presence;
}

/** Test and debugging hooks; see README "Fault injection". */
export interface RoomDebug {
  links(): LinkInfo[];
  /** Close every WebRTC link at once, as a network cut would. */
  dropLinks(): void;
  /** Stop using the signaling server (the mesh carries on); `resumeSignaling()` undoes it. */
  stopSignaling(): void;
  resumeSignaling(): void;
  signalingStatus(): SignalingStatus;
  /** The gossip engine's view: active/passive views, member states, RTTs, counters. */
  snapshot(): GossipSnapshot;
}
