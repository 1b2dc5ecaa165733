/**
 * The keeper (`murmur-signal --keep DIR`, option `keep`): the server process
 * also joins, as an ordinary Node peer over WebRTC, every room that has a
 * peer on this instance, and stores the room's Yjs document in DIR
 * (keeper-store.ts). When the last tab of a room has gone, the document is
 * still in DIR; the next tab that joins brings the keeper back into the room,
 * and the keeper's doc reaches the tab by the usual doc sync.
 *
 * A keeper is just a peer: it has no role in the protocol, obeys maxLinks
 * like any tab, and a room works the same without it. Two instances with
 * keepers over Redis are two peers of the same room; Yjs merges what both
 * hold, so their stores do not fork.
 */
import * as Y from 'yjs';
import type { Room } from '../../client/src/typed-room.js';
import type { Logger } from './logger.js';
import type { MetricsRegistry } from './metrics.js';
import { openKeeperStore, type KeeperStore } from './keeper-store.js';

/** Peer ids of keepers start with this, so a keeper never keeps a room open for another keeper. */
export const KEEPER_PEER_PREFIX = 'keeper.';

export interface KeeperOptions {
  dir: string;
  /** This instance's own signaling URL (with ?token= when the server needs one). */
  signalingUrl: string;
  log: Logger;
  registry: MetricsRegistry;
  /** How long the keeper stays in a room after its last other local peer left, ms. Default 5,000. */
  idleMs?: number;
  /** maxLinks of the keeper's Room in each room (the joinRoom option). Default 8 (joinRoom's default). */
  maxLinks?: number;
}

export interface Keeper {
  readonly peerId: string;
  peerJoined(room: string, peer: string): void;
  peerLeft(room: string, peer: string): void;
  /** The keeper's live doc of `room`, while it is in that room. */
  doc(room: string): Y.Doc | undefined;
  stats(): { rooms: number; links: number; storedUpdates: number };
  /** Leave every room, finish writing, close the database. */
  close(): Promise<void>;
}

interface Kept {
  others: number;
  room: Room | undefined;
  doc: Y.Doc | undefined;
  opening: Promise<void> | undefined;
  idle: ReturnType<typeof setTimeout> | undefined;
}

const FROM_STORE = Symbol('keeper-store');

export async function startKeeper(options: KeeperOptions): Promise<Keeper> {
  const { log } = options;
  const idleMs = options.idleMs ?? 5000;
  // The Node client, loaded only when a keeper runs. A keeper cannot work without
  // @roamhq/wrtc (an optional peer dependency): fail at start, with an error that names it.
  const { joinRoom, loadWrtc, createIdentity } = await import('../../client/src/node.js');
  loadWrtc();
  const store: KeeperStore = await openKeeperStore(options.dir);
  // Links accept only ids a key certifies (client/src/link-auth.ts): the label goes before the key's id.
  const identity = createIdentity();
  const peerId = `${KEEPER_PEER_PREFIX}${identity.id}`;
  const kept = new Map<string, Kept>();
  const writes = new Set<Promise<void>>();
  let storedUpdates = 0;
  let closed = false;

  const links = () => [...kept.values()].reduce((n, k) => n + (k.room?.stats().links.open ?? 0), 0);
  options.registry.gauge('murmur_keeper_rooms', 'Rooms the keeper is in.', () => [...kept.values()].filter((k) => k.room).length);
  options.registry.gauge('murmur_keeper_links', 'Open WebRTC links of the keeper, over all rooms.', links);
  options.registry.gauge('nodejs_heap_used_bytes', 'V8 heap in use, bytes (what the keeper\'s rooms cost shows here and in RSS).', () => process.memoryUsage().heapUsed);
  const stored = options.registry.counter('murmur_keeper_updates_stored_total', 'Yjs updates the keeper wrote to its database.');

  const open = async (roomId: string, entry: Kept): Promise<void> => {
    const { update, count } = await store.load(roomId);
    if (closed || entry.others === 0) return;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update, FROM_STORE);
    doc.on('update', (change: Uint8Array, origin: unknown) => {
      if (origin === FROM_STORE) return;
      const write = store.append(roomId, change).then(
        () => {
          storedUpdates += 1;
          stored.inc();
        },
        (error: unknown) => log({ level: 'error', msg: 'keeper could not store an update', room: roomId, error: String(error) }),
      );
      writes.add(write);
      void write.finally(() => writes.delete(write));
    });
    entry.doc = doc;
    entry.room = joinRoom(roomId, {
      signaling: options.signalingUrl,
      peerId,
      identity,
      doc,
      ...(options.maxLinks === undefined ? {} : { maxLinks: options.maxLinks }),
    });
    log({ level: 'info', msg: 'keeper joined room', room: roomId, storedUpdates: count });
  };

  const leave = (roomId: string, entry: Kept): void => {
    entry.room?.leave();
    entry.doc?.destroy();
    kept.delete(roomId);
    log({ level: 'info', msg: 'keeper left room', room: roomId });
  };

  return {
    peerId,
    peerJoined: (roomId, peer) => {
      if (closed || peer.startsWith(KEEPER_PEER_PREFIX)) return;
      let entry = kept.get(roomId);
      if (!entry) kept.set(roomId, (entry = { others: 0, room: undefined, doc: undefined, opening: undefined, idle: undefined }));
      entry.others += 1;
      clearTimeout(entry.idle);
      entry.idle = undefined;
      if (entry.room || entry.opening) return;
      const target = entry;
      target.opening = open(roomId, target)
        .catch((error: unknown) => log({ level: 'error', msg: 'keeper could not join room', room: roomId, error: String(error) }))
        .finally(() => {
          target.opening = undefined;
          if (target.others === 0 && kept.get(roomId) === target) leave(roomId, target);
        });
    },
    peerLeft: (roomId, peer) => {
      const entry = kept.get(roomId);
      if (!entry || peer.startsWith(KEEPER_PEER_PREFIX)) return;
      entry.others = Math.max(0, entry.others - 1);
      if (entry.others > 0 || entry.opening) return;
      // Stay a moment: the last tab's final updates may still be on their way.
      entry.idle = setTimeout(() => {
        if (entry.others === 0 && kept.get(roomId) === entry) leave(roomId, entry);
      }, idleMs);
      entry.idle.unref?.();
    },
    doc: (roomId) => kept.get(roomId)?.doc,
    stats: () => ({ rooms: [...kept.values()].filter((k) => k.room).length, links: links(), storedUpdates }),
    close: async () => {
      closed = true;
      await Promise.all([...kept.values()].map((k) => k.opening));
      for (const [roomId, entry] of [...kept]) {
        clearTimeout(entry.idle);
        leave(roomId, entry);
      }
      await Promise.all(writes);
      await store.close();
    },
  };
}
