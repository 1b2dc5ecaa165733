/**
 * Yjs on the honest members of a HostileRoom: each runs the real sans-IO doc
 * sync (shared/src/doc/doc-sync.ts) on its engine, as the client does, so an
 * attack on membership shows what it costs the app layer too (docs sync
 * with direct neighbours, so made-up members start none). Each doc writes
 * under a clientID bound to its peer id (client-id.ts), drawn from the seed.
 */
import * as Y from 'yjs';
import { Channel, decodeFrame } from '../doc/channel-codec.js';
import { ClientIdBinding } from '../doc/client-id.js';
import { DocSync, type DocSyncInput } from '../doc/doc-sync.js';
import type { PeerId } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';
import { createPrng } from '../prng.js';
import type { HostileRoom } from './adversary-room.js';

/** The client's default anti-entropy period for the doc, ms. */
const SYNC_INTERVAL_MS = 8000;

/** What the honest docs refused (the client counts these in stats().malformed). */
export interface DocRefusals {
  /** Doc frames whose update threw (bad bytes, or MURMUR_FOREIGN_CLIENT_ID), over all honest docs. */
  malformed: number;
  /** Of those, broadcast updates refused for a clientID their sender does not own. */
  foreignClientIds: number;
}

/** Attach after the room settled: each sync starts with its engine's neighbours. `refusals`, if given, is counted into. */
export function attachDocs(room: HostileRoom, seed: number, refusals?: DocRefusals): Map<PeerId, Y.Doc> {
  const docs = new Map<PeerId, Y.Doc>();
  const syncs = new Map<PeerId, DocSync>();
  // Bumped on every set-timer: a re-armed timer replaces the one before (DocSyncOutput's contract).
  const timerEpochs = new Map<PeerId, number>();
  const feed = (id: PeerId, input: DocSyncInput): void => {
    const sync = syncs.get(id) as DocSync;
    let outputs: ReturnType<DocSync['handle']>;
    try {
      outputs = sync.handle(input, room.sim.now);
    } catch (error) {
      // A bad update: counted and dropped, as the client does (channels.ts).
      if (refusals) {
        refusals.malformed += 1;
        if (error instanceof MurmurError && error.code === ErrorCode.FOREIGN_CLIENT_ID) refusals.foreignClientIds += 1;
      }
      return;
    }
    for (const output of outputs) {
      if (output.type === 'broadcast') room.sim.command(id, { type: 'broadcast', payload: output.payload });
      else if (output.type === 'route') room.sim.command(id, { type: 'route', to: output.to, payload: output.payload });
      else if (output.type === 'set-timer') {
        const epoch = (timerEpochs.get(id) ?? 0) + 1;
        timerEpochs.set(id, epoch);
        room.sim.schedule(output.at, () => {
          if (timerEpochs.get(id) === epoch && room.sim.nodes.get(id)?.state === 'up') feed(id, { type: 'timer' });
        });
      } else if (output.type === 'clear-timer') timerEpochs.set(id, (timerEpochs.get(id) ?? 0) + 1);
    }
  };
  room.honestIds.forEach((id, i) => {
    const doc = new Y.Doc();
    // Deterministic encodings: the session part of the clientID comes from the seed.
    new ClientIdBinding({ doc, selfId: id, random: createPrng(seed * 104_729 + i).next });
    const sync = new DocSync({ doc, selfId: id, intervalMs: SYNC_INTERVAL_MS, random: createPrng(seed * 7919 + i).next });
    docs.set(id, doc);
    syncs.set(id, sync);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== sync.origin) feed(id, { type: 'local-update', update });
    });
    room.sim.schedule(room.sim.now, () => {
      feed(id, { type: 'start' });
      if (room.sim.nodes.has(id)) for (const peer of room.engine(id).neighbors()) feed(id, { type: 'neighbor-up', peer });
    });
  });
  room.sim.observers.push({
    onEvent: (at, output) => {
      if (!syncs.has(at)) return;
      if (output.type === 'neighbor-up' || output.type === 'neighbor-down') {
        feed(at, { type: output.type, peer: output.peer });
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
