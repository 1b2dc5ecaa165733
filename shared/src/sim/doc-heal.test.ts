/**
 * Yjs over the simulated mesh: every node runs the sans-IO doc sync
 * (shared/src/doc/doc-sync.ts) on the gossip engine. A share of the DOC_UPDATE
 * broadcasts is lost on the way to the doc (after the engine's own repair,
 * as if dropped at the app's edge); state-vector anti-entropy must heal every
 * doc. Prints the time to heal.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { seedsFor, withSeed } from '../../test/seeds.js';
import { Channel, decodeFrame } from '../doc/channel-codec.js';
import { ClientIdBinding } from '../doc/client-id.js';
import { DocSync, type DocSyncInput } from '../doc/doc-sync.js';
import type { EngineOutput, PeerId } from '../engine/types.js';
import { createPrng, type Prng } from '../prng.js';
import { Room, peerIds } from './room.js';

const SYNC_INTERVAL_MS = 8000;

interface DocNode {
  doc: Y.Doc;
  sync: DocSync;
  /** Bumped on every set-timer: a re-armed timer replaces the one before (DocSyncOutput's contract). */
  timerEpoch: number;
}

function docRoom(seed: number, ids: readonly PeerId[], updateLoss: number) {
  const room = new Room({ seed, network: { loss: 0.1 }, trackViews: false });
  const lossRng: Prng = createPrng(seed + 1000);
  const nodes = new Map<PeerId, DocNode>();
  let lost = 0;
  const feed = (id: PeerId, input: DocSyncInput): void => {
    const node = nodes.get(id) as DocNode;
    for (const output of node.sync.handle(input, room.sim.now)) {
      if (output.type === 'broadcast') room.sim.command(id, { type: 'broadcast', payload: output.payload });
      else if (output.type === 'route') room.sim.command(id, { type: 'route', to: output.to, payload: output.payload });
      else if (output.type === 'set-timer') {
        const epoch = ++node.timerEpoch;
        room.sim.schedule(output.at, () => {
          if (node.timerEpoch === epoch && room.sim.nodes.get(id)?.state === 'up') feed(id, { type: 'timer' });
        });
      } else if (output.type === 'clear-timer') node.timerEpoch += 1;
    }
  };
  ids.forEach((id, i) => {
    const doc = new Y.Doc();
    // Deterministic encodings: a clientID bound to the peer id, its session part from the seed.
    new ClientIdBinding({ doc, selfId: id, random: createPrng(seed * 104_729 + i).next });
    const sync = new DocSync({ doc, selfId: id, intervalMs: SYNC_INTERVAL_MS, random: createPrng(seed * 7919 + i).next });
    nodes.set(id, { doc, sync, timerEpoch: 0 });
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== sync.origin) feed(id, { type: 'local-update', update });
    });
  });
  room.sim.observers.push({
    onEvent: (at: PeerId, output: EngineOutput) => {
      const node = nodes.get(at);
      if (!node) return;
      if (output.type === 'neighbor-up' || output.type === 'neighbor-down') {
        feed(at, { type: output.type, peer: output.peer });
      } else if (output.type === 'deliver' || output.type === 'routed') {
        const frame = decodeFrame(output.payload);
        if (frame.channel === 'reserved' || frame.channel === Channel.MESSAGE) return;
        if (output.type === 'deliver' && frame.channel === Channel.DOC_UPDATE && lossRng.next() < updateLoss) {
          lost += 1;
          return;
        }
        feed(at, { type: 'receive', from: output.from, frame });
      }
    },
  });
  return { room, nodes, lost: () => lost, feed };
}

/** Map contents in key order (a Y.Map lists keys in the order this replica integrated them). */
function contents(node: DocNode): string {
  return JSON.stringify(Object.entries(node.doc.getMap('m').toJSON()).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function firstDivergent(nodes: Map<PeerId, DocNode>): string | undefined {
  const docs = [...nodes.entries()];
  const want = contents(docs[0]?.[1] as DocNode);
  for (const [id, node] of docs) if (contents(node) !== want) return id;
  return undefined;
}

describe('Yjs over the simulated mesh', () => {
  for (const seed of seedsFor([71])) {
    it(`anti-entropy heals Yjs updates lost on the wire (seed ${seed})`, () => {
      withSeed(seed, () => {
        const ids = peerIds(30);
        const { room, nodes, lost, feed } = docRoom(seed, ids, 0.3);
        ids.forEach((id, i) => {
          room.sim.join(id, i * 100);
          room.sim.schedule(i * 100, () => feed(id, { type: 'start' }));
        });
        room.sim.runUntil(15_000);
        const editsFrom = room.sim.now;
        ids.forEach((id, i) => {
          room.sim.schedule(editsFrom + i * 20, () => (nodes.get(id) as DocNode).doc.getMap('m').set(id, i));
        });
        const lastEdit = editsFrom + (ids.length - 1) * 20;
        room.sim.runUntil(lastEdit);
        let healedAt: number | undefined;
        while (room.sim.now < lastEdit + 60_000) {
          room.sim.runUntil(room.sim.now + 100);
          if (firstDivergent(nodes) === undefined) {
            healedAt = room.sim.now;
            break;
          }
        }
        const map = (nodes.get(ids[0] as PeerId) as DocNode).doc.getMap('m');
        console.log(`doc heal: ${ids.length} peers, ${lost()} DOC_UPDATE deliveries lost (30%), every doc equal ${healedAt === undefined ? 'never' : `${((healedAt - lastEdit) / 1000).toFixed(1)} s`} after the last edit (anti-entropy period ${SYNC_INTERVAL_MS / 1000} s)`);
        expect(lost()).toBeGreaterThan(50);
        expect(healedAt).toBeDefined();
        expect(map.size).toBe(ids.length);
        // Measured at seed 71: 31.5 s, about four periods (each period one random partner, both ways). A
        // bound, not a goal: the handbook's ≤ 10 s is for membership, and the doc sync is slower today.
        expect((healedAt as number) - lastEdit).toBeLessThanOrEqual(6 * SYNC_INTERVAL_MS);
      });
    }, 120_000);
  }
});
