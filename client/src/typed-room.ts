/**
 * The public, generic face of a Room: `joinRoom<MyPresence, MyMessage>()`
 * types presence (`room.peers`, `presence.update`, the events) and broadcast
 * data, the way Liveblocks types presence. Types only over the one Room
 * class: data from peers is not checked against them at run time.
 */
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import type { BroadcastOptions, RoomMessage as AnyRoomMessage } from './app-message.js';
import type { JoinOptions as BaseJoinOptions } from './options.js';
import { joinRoom as joinBase, type LeaveReason, type Room as RoomClass, type RoomEvents as BaseEvents } from './room.js';

/** Broadcast payloads: JSON or bytes. */
export type MessageData = JsonValue | Uint8Array;

export interface PeerInfo<P extends object = Presence> {
  readonly id: PeerId;
  readonly presence: P;
}

export interface RoomMessage<M extends MessageData = MessageData> extends Omit<AnyRoomMessage, 'data'> {
  data: M;
}

export type RoomEvents<P extends object = Presence, M extends MessageData = MessageData> = Omit<BaseEvents, 'peer-join' | 'peer-leave' | 'presence' | 'message'> & {
  /** A peer joined, with its presence. */
  'peer-join': [peer: PeerInfo<P>];
  'peer-leave': [peer: PeerInfo<P>, reason: LeaveReason];
  /** A remote peer's presence changed. */
  presence: [peer: PeerInfo<P>];
  /** An app event sent with `room.broadcast(topic, data, { to? })`, once per message. */
  message: [message: RoomMessage<M>];
};

export interface RoomPresence<P extends object = Presence> {
  /** Merge `patch` into this tab's presence (shallow) and share it. */
  update(patch: Partial<P>): void;
  /** This tab's current presence. */
  get(): P;
}

export interface Room<P extends object = Presence, M extends MessageData = MessageData> extends Omit<RoomClass, 'on' | 'peers' | 'presence' | 'broadcast'> {
  /** Every other live member. */
  readonly peers: ReadonlyMap<PeerId, PeerInfo<P>>;
  readonly presence: RoomPresence<P>;
  broadcast(topic: string, data: M, options?: BroadcastOptions): void;
  /** Listen; returns the unsubscribe function. An unknown event name is a compile error. */
  on<Name extends keyof RoomEvents<P, M>>(name: Name, listener: (...args: RoomEvents<P, M>[Name]) => void): () => void;
}

export interface JoinOptions<P extends object = Presence> extends Omit<BaseJoinOptions, 'presence'> {
  /** Presence to start with. Default {}. */
  presence?: P;
}

/** Join `roomId`; see README "joinRoom". Presence `P` and message data `M` are yours to name. */
export function joinRoom<P extends object = Presence, M extends MessageData = MessageData>(roomId: string, options: JoinOptions<P>): Room<P, M> {
  return joinBase(roomId, options as BaseJoinOptions) as unknown as Room<P, M>;
}
