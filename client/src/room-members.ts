/**
 * The room's member list as the app sees it: who is in (`room.peers`), with
 * the presence the app may see. It takes the engine's peer-join / peer-leave
 * / presence outputs, holds a join until the peer's presence is in (join-gate.ts),
 * and says what changed as events, which the session passes on to the app,
 * the app channels and the status.
 */
import { equalityDeep } from 'lib0/function';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import { appPresence } from './awareness.js';
import { Emitter } from './emitter.js';
import { JoinGate } from './join-gate.js';
import type { LeaveReason, PeerInfo } from './room-types.js';

/** Each event carries the app's view (`info`) and, where the channels need it, the whole presence. */
export type MemberEvents = {
  join: [info: PeerInfo, presence: Presence];
  leave: [info: PeerInfo, reason: LeaveReason];
  /** `appChanged` is false when only the awareness entry moved (the app's 'presence' listeners do not hear it). */
  presence: [info: PeerInfo, presence: Presence, appChanged: boolean];
};

export class Members extends Emitter<MemberEvents> {
  private readonly byId = new Map<PeerId, PeerInfo>();
  private readonly gate = new JoinGate((peer, presence) => this.admit(peer, presence));

  get view(): ReadonlyMap<PeerId, PeerInfo> {
    return this.byId;
  }

  get size(): number {
    return this.byId.size;
  }

  ids(): PeerId[] {
    return [...this.byId.keys()];
  }

  /** The engine's peer-join. */
  joined(peer: PeerId, presence: Presence): void {
    this.gate.join(peer, presence);
  }

  /** The engine's peer-leave: a peer still held at the gate goes unheard of. */
  left(peer: PeerId, reason: LeaveReason): void {
    if (this.gate.leave(peer)) return;
    const info = this.byId.get(peer);
    if (!info) return;
    this.byId.delete(peer);
    this.emit('leave', info, reason);
  }

  /** The engine's presence output. */
  presence(peer: PeerId, presence: Presence): void {
    if (this.gate.presence(peer, presence)) return;
    const previous = this.byId.get(peer);
    const info: PeerInfo = { id: peer, presence: appPresence(presence) };
    this.byId.set(peer, info);
    this.emit('presence', info, presence, !previous || !equalityDeep(previous.presence, info.presence));
  }

  /** Forget everyone, silently, and every held join's timer. */
  close(): void {
    this.gate.clear();
    this.byId.clear();
    this.clear();
  }

  private admit(peer: PeerId, presence: Presence): void {
    const info: PeerInfo = { id: peer, presence: appPresence(presence) };
    this.byId.set(peer, info);
    this.emit('join', info, presence);
  }
}
