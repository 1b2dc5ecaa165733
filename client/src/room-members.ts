/**
 * The room's member list as the app sees it: who is in (`room.peers`), with
 * the presence the app may see. It takes the engine's peer-join / peer-leave
 * / presence outputs, holds a join until the peer's presence is in (join-gate.ts),
 * and says what changed as events, which the session passes on to the app,
 * the app channels and the status.
 *
 * In a room with a password the engine carries each presence sealed
 * (payload-seal.ts): it is opened here, as it enters the client, so
 * `room.peers`, the events and awareness see the app's value. A presence
 * that does not open is dropped and reported as 'malformed' (a join whose
 * presence does not open waits at the gate as if none had come).
 */
import { equalityDeep } from 'lib0/function';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { appPresence } from './awareness.js';
import { Emitter } from './emitter.js';
import { JoinGate } from './join-gate.js';
import type { PayloadSeal } from './payload-seal.js';
import type { LeaveReason, PeerInfo } from './room-types.js';

/** Each event carries the app's view (`info`) and, where the channels need it, the whole presence. */
export type MemberEvents = {
  join: [info: PeerInfo, presence: Presence];
  leave: [info: PeerInfo, reason: LeaveReason];
  /** `appChanged` is false when only the awareness entry moved (the app's 'presence' listeners do not hear it). */
  presence: [info: PeerInfo, presence: Presence, appChanged: boolean];
  /** A sealed presence that did not open (room password): dropped. */
  malformed: [info: { from: PeerId; code: ErrorCode; message: string }];
};

export interface MembersOptions {
  /** With a room password: opens each presence (and keeps every engine output in order while its key is derived). */
  seal?: PayloadSeal;
}

export class Members extends Emitter<MemberEvents> {
  private readonly byId = new Map<PeerId, PeerInfo>();
  private readonly gate = new JoinGate((peer, presence) => this.admit(peer, presence));
  private readonly seal: PayloadSeal | undefined;
  private malformedCount = 0;

  constructor(options: MembersOptions = {}) {
    super();
    this.seal = options.seal;
  }

  /** Presences that did not open. */
  get malformed(): number {
    return this.malformedCount;
  }

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
    this.sealed(() => this.gate.join(peer, this.open(peer, presence) ?? {}));
  }

  /** The engine's peer-leave: a peer still held at the gate goes unheard of. */
  left(peer: PeerId, reason: LeaveReason): void {
    this.sealed(() => {
      if (this.gate.leave(peer)) return;
      const info = this.byId.get(peer);
      if (!info) return;
      this.byId.delete(peer);
      this.emit('leave', info, reason);
    });
  }

  /** The engine's presence output. */
  presence(peer: PeerId, sealedOrPlain: Presence): void {
    this.sealed(() => {
      const presence = this.open(peer, sealedOrPlain);
      if (presence === undefined) return;
      if (this.gate.presence(peer, presence)) return;
      const previous = this.byId.get(peer);
      const info: PeerInfo = { id: peer, presence: appPresence(presence) };
      this.byId.set(peer, info);
      this.emit('presence', info, presence, !previous || !equalityDeep(previous.presence, info.presence));
    });
  }

  /** Forget everyone, silently, and every held join's timer. */
  close(): void {
    this.gate.clear();
    this.byId.clear();
    this.clear();
  }

  /** Without a seal at once; with one, in the seal's order (after the key is in). */
  private sealed(step: () => void): void {
    if (this.seal) this.seal.after(step);
    else step();
  }

  /** The app's presence, or undefined (counted and reported) if a sealed one does not open. */
  private open(peer: PeerId, presence: Presence): Presence | undefined {
    if (!this.seal) return presence;
    try {
      return this.seal.openPresence(peer, presence);
    } catch (error) {
      this.malformedCount += 1;
      const code = error instanceof MurmurError ? error.code : ErrorCode.BAD_SEAL;
      this.emit('malformed', { from: peer, code, message: (error as Error).message });
      return undefined;
    }
  }

  private admit(peer: PeerId, presence: Presence): void {
    const info: PeerInfo = { id: peer, presence: appPresence(presence) };
    this.byId.set(peer, info);
    this.emit('join', info, presence);
  }
}
