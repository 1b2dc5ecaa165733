/**
 * Snapshots of one Room for React's useSyncExternalStore: each getter
 * returns the same value until its data changes, then a new one. (`room.peers`
 * is one live Map that mutates in place, so a store over it never re-renders.)
 * One store per room, shared by every hook that reads it.
 */
import type { PeerId, PeerInfo, Presence, Room, RoomStatus } from '../index.js';

type Notify = () => void;

export class RoomStore {
  private readonly room: Room;
  private peerList: readonly PeerInfo[] | null = null;
  private ownPresence: Presence;
  private readonly ownListeners = new Set<Notify>();

  constructor(room: Room) {
    this.room = room;
    this.ownPresence = room.presence.get();
  }

  /** Membership or a member's presence changed. */
  subscribePeers = (notify: Notify): (() => void) => {
    const changed = () => {
      this.peerList = null;
      notify();
    };
    const offs = [this.room.on('peer-join', changed), this.room.on('peer-leave', changed), this.room.on('presence', changed)];
    return () => {
      for (const off of offs) off();
    };
  };

  peers = (): readonly PeerInfo[] => {
    // Rebuilt lazily after a change; the Room replaces a PeerInfo whenever its presence changes.
    this.peerList ??= [...this.room.peers.values()];
    return this.peerList;
  };

  peer(id: PeerId | null | undefined): PeerInfo | undefined {
    return id == null ? undefined : this.room.peers.get(id);
  }

  subscribeStatus = (notify: Notify): (() => void) => this.room.on('status', notify);

  status = (): RoomStatus => this.room.status;

  subscribeOwnPresence = (notify: Notify): (() => void) => {
    this.ownListeners.add(notify);
    return () => {
      this.ownListeners.delete(notify);
    };
  };

  ownPresenceSnapshot = (): Presence => this.ownPresence;

  updateOwnPresence(patch: Presence): void {
    this.room.presence.update(patch);
    this.ownPresence = this.room.presence.get();
    for (const notify of [...this.ownListeners]) notify();
  }
}

const stores = new WeakMap<Room, RoomStore>();

export function storeOf(room: Room): RoomStore {
  let store = stores.get(room);
  if (!store) {
    store = new RoomStore(room);
    stores.set(room, store);
  }
  return store;
}
