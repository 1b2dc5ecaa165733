/**
 * React hooks over a Room. Every hook takes the room (or null while
 * `useRoom` is still joining) and re-renders only when what it returns
 * changed.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { joinRoom, type BroadcastOptions, type JoinOptions, type JsonValue, type PeerId, type PeerInfo, type Presence, type Room, type RoomMessage, type RoomStatus } from '../index.js';
import { storeOf } from './room-store.js';

const noSubscription = (): (() => void) => () => {};
const nothing = (): undefined => undefined;
const EMPTY: readonly PeerInfo[] = [];

/**
 * Join `roomId` while the component is mounted; leave on unmount or when
 * `roomId` or the signaling URL changes. Null until the room is joined
 * (the first render, and on the server).
 */
export function useRoom(roomId: string, options: JoinOptions): Room | null {
  const [room, setRoom] = useState<Room | null>(null);
  // Options are read when joining; a new object each render must not rejoin.
  const latest = useRef(options);
  latest.current = options;
  const signalingKey = JSON.stringify(options.signaling);
  useEffect(() => {
    const joined = joinRoom(roomId, latest.current);
    setRoom(joined);
    return () => {
      joined.leave();
      setRoom(null);
    };
  }, [roomId, signalingKey]);
  return room;
}

/** The other live members, a new array only when one joins, leaves or changes presence. */
export function usePeers(room: Room | null): readonly PeerInfo[] {
  const store = room ? storeOf(room) : null;
  return useSyncExternalStore(store?.subscribePeers ?? noSubscription, store?.peers ?? (() => EMPTY), store?.peers ?? (() => EMPTY));
}

/** One member (undefined while it is not in the room). */
export function usePeer(room: Room | null, id: PeerId | null | undefined): PeerInfo | undefined {
  const store = room ? storeOf(room) : null;
  const snapshot = useCallback(() => store?.peer(id), [store, id]);
  return useSyncExternalStore(store?.subscribePeers ?? noSubscription, snapshot, snapshot);
}

/** `room.status` ('connecting', 'connected', 'alone', 'disconnected', 'closed'); undefined without a room. */
export function useStatus(room: Room | null): RoomStatus | undefined {
  const store = room ? storeOf(room) : null;
  return useSyncExternalStore(store?.subscribeStatus ?? noSubscription, store?.status ?? nothing, store?.status ?? nothing);
}

export type PresenceUpdate = Presence | ((current: Presence) => Presence);

/**
 * This tab's own presence and an updater that merges a patch (or the result
 * of a function of the current presence) and shares it with the room.
 */
export function usePresence(room: Room | null): [presence: Presence | undefined, update: (update: PresenceUpdate) => void] {
  const store = room ? storeOf(room) : null;
  const presence = useSyncExternalStore(
    store?.subscribeOwnPresence ?? noSubscription,
    store?.ownPresenceSnapshot ?? nothing,
    store?.ownPresenceSnapshot ?? nothing,
  );
  const update = useCallback(
    (next: PresenceUpdate) => {
      if (!store) return;
      store.updateOwnPresence(typeof next === 'function' ? next(store.ownPresenceSnapshot()) : next);
    },
    [store],
  );
  return [presence, update];
}

/**
 * Send on `topic`, and (with `onMessage`) hear it. The handler may change
 * every render without resubscribing.
 */
export function useBroadcast(
  room: Room | null,
  topic: string,
  onMessage?: (message: RoomMessage) => void,
): (data: JsonValue | Uint8Array, options?: BroadcastOptions) => void {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!room) return undefined;
    return room.on('message', (message) => {
      if (message.topic === topic) handler.current?.(message);
    });
  }, [room, topic]);
  return useCallback(
    (data: JsonValue | Uint8Array, options?: BroadcastOptions) => {
      room?.broadcast(topic, data, options);
    },
    [room, topic],
  );
}
