/**
 * The keeper's database: every room's Yjs updates in one LevelDB
 * (classic-level, whose prebuilt binaries ship inside the npm package, so it
 * installs with no download and no install script). Each update is appended
 * under `<room>\0<seq>` as it happens, so a kill -9 loses nothing LevelDB
 * had accepted; past COMPACT_AFTER updates a room is rewritten as one merged
 * update in a single atomic batch.
 */
import type { ClassicLevel } from 'classic-level';
import * as Y from 'yjs';

/** Updates a room may accumulate before they are merged into one. */
const COMPACT_AFTER = 200;
const SEP = '\u0000';
const seqKey = (room: string, seq: number) => `${room}${SEP}${seq.toString(16).padStart(12, '0')}`;

export interface KeeperStore {
  /** The stored updates of `room` merged into one (empty doc when none), and how many there were. */
  load(room: string): Promise<{ update: Uint8Array; count: number }>;
  append(room: string, update: Uint8Array): Promise<void>;
  /** Rooms with a stored document. */
  rooms(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openKeeperStore(dir: string): Promise<KeeperStore> {
  // Loaded only when a keeper runs: a plain signaling server needs no native module.
  const { ClassicLevel: Level } = await import('classic-level');
  const db: ClassicLevel<string, Uint8Array> = new Level(dir, { valueEncoding: 'view' });
  await db.open();
  const next = new Map<string, number>();
  // One room's writes in order: a compaction must not overtake the append before it.
  const chains = new Map<string, Promise<void>>();
  const serial = (room: string, step: () => Promise<void>): Promise<void> => {
    const run = (chains.get(room) ?? Promise.resolve()).then(step);
    chains.set(room, run.catch(() => {}));
    return run;
  };
  const range = (room: string) => ({ gt: `${room}${SEP}`, lt: `${room}${SEP}\uffff` });

  const readAll = async (room: string): Promise<{ keys: string[]; updates: Uint8Array[] }> => {
    const keys: string[] = [];
    const updates: Uint8Array[] = [];
    for await (const [key, value] of db.iterator(range(room))) {
      keys.push(key);
      updates.push(value);
    }
    return { keys, updates };
  };

  const compact = async (room: string): Promise<void> => {
    const { keys, updates } = await readAll(room);
    const seq = next.get(room) ?? keys.length;
    await db.batch([...keys.map((key) => ({ type: 'del' as const, key })), { type: 'put' as const, key: seqKey(room, seq), value: Y.mergeUpdates(updates) }]);
    next.set(room, seq + 1);
  };

  return {
    load: async (room) => {
      const { keys, updates } = await readAll(room);
      const last = keys.at(-1);
      next.set(room, last === undefined ? 0 : parseInt(last.slice(room.length + 1), 16) + 1);
      return { update: updates.length === 0 ? Y.encodeStateAsUpdate(new Y.Doc()) : Y.mergeUpdates(updates), count: updates.length };
    },
    append: (room, update) =>
      serial(room, async () => {
        const seq = next.get(room) ?? 0;
        next.set(room, seq + 1);
        await db.put(seqKey(room, seq), update);
        if (seq > 0 && seq % COMPACT_AFTER === 0) await compact(room);
      }),
    rooms: async () => {
      const found = new Set<string>();
      for await (const key of db.keys()) found.add(key.slice(0, key.indexOf(SEP)));
      return [...found];
    },
    close: async () => {
      await Promise.all(chains.values());
      await db.close();
    },
  };
}
