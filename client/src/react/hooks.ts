/**
 * React hooks over a Room. Every hook takes the room (or null while
 * `useRoom` is still joining) and re-renders only when what it returns
 * changed.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import {
  joinRoom,
  type BroadcastOptions,
  type JoinOptions,
  type MessageData,
  type PeerId,
  type PeerInfo,
  type Presence,
  type Room,
  type RoomMessage,
  type RoomStatus,
} from '../index.js';
import { storeOf } from './room-store.js';

const noSubscription = (): (() => void) => () => {};
const nothing = (): undefined => undefined;
const EMPTY: readonly never[] = [];

/** The store reads any room; the hooks hand back the caller's own types. */
const untyped = <P extends object, M extends MessageData>(room: Room<P, M> | null): Room | null => room as unknown as Room | null;

/**
 * Join `roomId` while the component is mounted; leave on unmount or when
 * `roomId` or the signaling URL changes. Null until the room is joined
 * (the first render, and on the server).
 */
export function useRoom<P extends object = Presence, M extends MessageData = MessageData>(roomId: string, options: JoinOptions<P>): Room<P, M> | null {
  const [room, setRoom] = useState<Room<P, M> | null>(null);
  // Options are read when joining; a new object each render must not rejoin.
  const latest = useRef(options);
  latest.current = options;
  const signalingKey = JSON.stringify(options.signaling);
  useEffect(() => {
    const joined = joinRoom<P, M>(roomId, latest.current);
    setRoom(joined);
    return () => {
      joined.leave();
      setRoom(null);
    };
  }, [roomId, signalingKey]);
  return room;
}

/** The other live members, a new array only when one joins, leaves or changes presence. */
export function usePeers<P extends object, M extends MessageData>(room: Room<P, M> | null): readonly PeerInfo<P>[] {
  const typed = untyped(room);
  const store = typed ? storeOf(typed) : null;
  const peers = useSyncExternalStore(store?.subscribePeers ?? noSubscription, store?.peers ?? (() => EMPTY), store?.peers ?? (() => EMPTY));
  return peers as unknown as readonly PeerInfo<P>[];
}

/** One member (undefined while it is not in the room). */
export function usePeer<P extends object, M extends MessageData>(room: Room<P, M> | null, id: PeerId | null | undefined): PeerInfo<P> | undefined {
  const typed = untyped(room);
  const store = typed ? storeOf(typed) : null;
  const snapshot = useCallback(() => store?.peer(id), [store, id]);
  return useSyncExternalStore(store?.subscribePeers ?? noSubscription, snapshot, snapshot) as PeerInfo<P> | undefined;
}

/** `room.status` ('connecting', 'connected', 'alone', 'disconnected', 'closed'); undefined without a room. */
export function useStatus<P extends object, M extends MessageData>(room: Room<P, M> | null): RoomStatus | undefined {
  const typed = untyped(room);
  const store = typed ? storeOf(typed) : null;
  return useSyncExternalStore(store?.subscribeStatus ?? noSubscription, store?.status ?? nothing, store?.status ?? nothing);
}

export type PresenceUpdate<P extends object = Presence> = Partial<P> | ((current: P) => Partial<P>);

/**
 * This tab's own presence and an updater that merges a patch (or the result
 * of a function of the current presence) and shares it with the room.
 */
export function usePresence<P extends object, M extends MessageData>(room: Room<P, M> | null): [presence: P | undefined, update: (update: PresenceUpdate<P>) => void] {
  const typed = untyped(room);
  const store = typed ? storeOf(typed) : null;
  const presence = useSyncExternalStore(
    store?.subscribeOwnPresence ?? noSubscription,
    store?.ownPresenceSnapshot ?? nothing,
    store?.ownPresenceSnapshot ?? nothing,
  );
  const update = useCallback(
    (next: PresenceUpdate<P>) => {
      if (!store) return;
      const patch = typeof next === 'function' ? next(store.ownPresenceSnapshot() as unknown as P) : next;
      store.updateOwnPresence(patch as Presence);
    },
    [store],
  );
  return [presence as P | undefined, update];
}

/**
 * Send on `topic`, and (with `onMessage`) hear it. The handler may change
 * every render without resubscribing.
 */
export function useBroadcast<P extends object, M extends MessageData>(
  room: Room<P, M> | null,
  topic: string,
  onMessage?: (message: RoomMessage<M>) => void,
): (data: M, options?: BroadcastOptions) => void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!room) return undefined;
    return room.on('message', (message) => {
      if (message.topic === topic) handler.current?.(message);
    });
  }, [room, topic]);
  return useCallback(
    (data: M, options?: BroadcastOptions) => {
      room?.broadcast(topic, data, options);
    },
    [room, topic],
  );
}
