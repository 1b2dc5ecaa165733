/**
 * `joinRoom(id, { persist: true })`: the room's Y.Doc kept in IndexedDB
 * (y-indexeddb, database `murmur:<roomId>`), so a reload or a tab opened
 * later starts from the stored document before any peer answers, and a room
 * whose every tab closed still has its document in each browser that was there.
 */
import type * as Y from 'yjs';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';

export interface DocPersistence {
  /** Resolves once the stored updates are in the doc (at once for a new room). */
  readonly loaded: Promise<void>;
  destroy(): void;
}

export const persistenceName = (roomId: string): string => `murmur:${roomId}`;

export function persistDoc(roomId: string, doc: Y.Doc): DocPersistence {
  if (typeof globalThis.indexedDB === 'undefined') {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'options.persist needs IndexedDB (a browser); in Node, run a keeper: murmur-signal --keep DIR');
  }
  // Loaded on demand: an app that never persists does not carry y-indexeddb
  // (bundlers split the dynamic import into a chunk of its own).
  let destroyed = false;
  let destroyStore: (() => void) | undefined;
  const loaded = import('y-indexeddb').then(async ({ IndexeddbPersistence }) => {
    if (destroyed) return;
    const store = new IndexeddbPersistence(persistenceName(roomId), doc);
    destroyStore = () => void store.destroy();
    await store.whenSynced;
  });
  return {
    loaded,
    destroy: () => {
      destroyed = true;
      destroyStore?.();
    },
  };
}
