/**
 * Yjs on the honest members of a HostileRoom: each runs the real sans-IO doc
 * sync (shared/src/doc/doc-sync.ts) on its engine, as the client does, so an
 * attack on membership shows what it costs the app layer too (a new member
 * starts a sync; a sync to an id with no route is flooded).
 */
import * as Y from 'yjs';
import { Channel, decodeFrame } from '../doc/channel-codec.js';
import { DocSync, type DocSyncInput } from '../doc/doc-sync.js';
import type { PeerId } from '../engine/types.js';
import { createPrng } from '../prng.js';
import type { HostileRoom } from './adversary-room.js';

/** The client's default anti-entropy period for the doc, ms. */
const SYNC_INTERVAL_MS = 8000;

/** Attach after the room settled to skip the join's syncs of empty docs: members start as each engine's live peers. */
export function attachDocs(room: HostileRoom, seed: number): Map<PeerId, Y.Doc> {
  const docs = new Map<PeerId, Y.Doc>();
  const syncs = new Map<PeerId, DocSync>();
  const members = new Map<PeerId, Set<PeerId>>();
  // Bumped on every set-timer: a re-armed timer replaces the one before (DocSyncOutput's contract).
  const timerEpochs = new Map<PeerId, number>();
  const feed = (id: PeerId, input: DocSyncInput): void => {
    const sync = syncs.get(id) as DocSync;
    for (const output of sync.handle(input, room.sim.now)) {
      if (output.type === 'broadcast') room.sim.command(id, { type: 'broadcast', payload: output.payload });
      else if (output.type === 'route') room.sim.command(id, { type: 'route', to: output.to, payload: output.payload });
      else if (output.type === 'set-timer') {
        const epoch = (timerEpochs.get(id) ?? 0) + 1;
        timerEpochs.set(id, epoch);
        room.sim.schedule(output.at, () => {
          if (timerEpochs.get(id) === epoch && room.sim.nodes.get(id)?.state === 'up') feed(id, { type: 'timer', members: [...(members.get(id) ?? [])] });
        });
      } else if (output.type === 'clear-timer') timerEpochs.set(id, (timerEpochs.get(id) ?? 0) + 1);
    }
  };
  room.honestIds.forEach((id, i) => {
    const doc = new Y.Doc();
    doc.clientID = i + 1; // deterministic encodings
    const sync = new DocSync({ doc, intervalMs: SYNC_INTERVAL_MS, random: createPrng(seed * 7919 + i).next });
    docs.set(id, doc);
    syncs.set(id, sync);
    members.set(id, new Set(room.sim.nodes.has(id) ? room.engine(id).livePeers() : []));
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== sync.origin) feed(id, { type: 'local-update', update });
    });
    room.sim.schedule(room.sim.now, () => feed(id, { type: 'start' }));
  });
  room.sim.observers.push({
    onEvent: (at, output) => {
      const mine = members.get(at);
      if (!mine) return;
      if (output.type === 'peer-join') {
        mine.add(output.peer);
        feed(at, { type: 'peer-joined', peer: output.peer });
      } else if (output.type === 'peer-leave') {
        mine.delete(output.peer);
      } else if (output.type === 'deliver' || output.type === 'routed') {
        let frame: ReturnType<typeof decodeFrame>;
        try {
          frame = decodeFrame(output.payload);
        } catch {
          return; // not a doc frame (the client counts it as malformed)
        }
        if (frame.channel === Channel.DOC_UPDATE || frame.channel === Channel.SYNC_STEP1 || frame.channel === Channel.SYNC_STEP2) {
          feed(at, { type: 'receive', from: output.from, frame });
        }
      }
    },
  });
  return docs;
}
