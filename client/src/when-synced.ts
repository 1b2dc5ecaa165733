/**
 * `room.whenSynced`: resolves once the stored copy (with `persist`) is in
 * the doc and, if the room has peers, once one of them has answered a doc
 * sync (step 2 or an update arrived). Alone, cut off after the server was
 * reached, or left: resolves as soon as the stored copy is in. A tab that has
 * never reached a server waits (its stored copy is in room.doc all the same).
 * It never rejects.
 */
import type { RoomStatus } from './status.js';

export interface SyncSource {
  status(): RoomStatus;
  /** Doc updates and sync answers received so far. */
  updatesReceived(): number;
  /** How many peers the server named when this tab joined; undefined until it answered. */
  peersAtJoin(): number | undefined;
  onStatus(listener: () => void): () => void;
}

/** How often the doc counters are looked at while peers are there but have not answered, ms. */
const CHECK_MS = 50;

export function whenSynced(room: SyncSource, stored: Promise<void> | undefined): Promise<void> {
  return (stored ?? Promise.resolve()).then(
    () =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          const status = room.status();
          // 'alone' alone is not enough: it is also the moment between the server's answer and the first link.
          const alone = room.peersAtJoin() === 0 && status === 'alone';
          const settled = alone || status === 'disconnected' || status === 'closed' || room.updatesReceived() > 0;
          if (!settled) return;
          clearInterval(timer);
          off();
          resolve();
        };
        // check() runs first below, after both exist.
        const off = room.onStatus(check);
        const timer = setInterval(check, CHECK_MS);
        check();
      }),
  );
}
