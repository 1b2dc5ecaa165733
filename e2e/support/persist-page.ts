/**
 * Page entry for the persistence e2e: one murmur room (the client source),
 * optionally with `persist: true`, and a few handles for the spec.
 */
import { joinRoom, type Room } from '../../client/src/index.js';
import { persistenceName } from '../../client/src/persistence.js';

interface PersistPage {
  text(): string;
  insert(text: string): void;
  status(): string;
  /** ms from joinRoom to room.whenSynced, or null while it is pending. */
  syncedAfterMs(): number | null;
  /** Rows in this room's IndexedDB update store (y-indexeddb writes one per update). */
  storedRows(): Promise<number>;
}

(globalThis as { startRoom?: unknown }).startRoom = (roomId: string, signaling: string, persist: boolean) => {
  const started = performance.now();
  let syncedAfter: number | null = null;
  const room: Room = joinRoom(roomId, { signaling, persist });
  void room.whenSynced.then(() => {
    syncedAfter = performance.now() - started;
  });
  const text = room.doc.getText('t');
  const page: PersistPage = {
    text: () => text.toString(),
    insert: (value) => text.insert(text.length, value),
    status: () => room.status,
    syncedAfterMs: () => syncedAfter,
    storedRows: () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open(persistenceName(roomId));
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const count = db.transaction('updates').objectStore('updates').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
        };
      }),
  };
  (globalThis as { murmurPage?: PersistPage }).murmurPage = page;
};
document.documentElement.dataset.ready = 'true';
