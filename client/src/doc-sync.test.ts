import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { ClientIdBinding } from '../../shared/src/doc/client-id.js';
import { createPrng } from '../../shared/src/prng.js';
import { Channel, decodeFrame } from './channel-codec.js';
import { DocSync } from './doc-sync.js';

interface Node {
  id: string;
  doc: Y.Doc;
  sync: DocSync;
}

/** An in-memory room: broadcasts may be lost (seeded), routes always arrive; delivery is synchronous. */
function room(ids: string[], lossRate: number, seed = 1) {
  const rng = createPrng(seed);
  const nodes = new Map<string, Node>();
  const deliver = (to: string, from: string, payload: Uint8Array) => {
    const frame = decodeFrame(payload);
    if (frame.channel !== 'reserved' && frame.channel !== Channel.MESSAGE) nodes.get(to)?.sync.receive(from, frame);
  };
  for (const id of ids) {
    const doc = new Y.Doc();
    new ClientIdBinding({ doc, selfId: id, random: createPrng(seed * 104_729 + ids.indexOf(id)).next });
    const sync = new DocSync({
      doc,
      selfId: id,
      broadcast: (payload) => {
        for (const other of nodes.keys()) if (other !== id && rng.next() >= lossRate) deliver(other, id, payload);
      },
      route: (to, payload) => deliver(to, id, payload),
      intervalMs: 5000,
      random: () => rng.next(),
    });
    nodes.set(id, { id, doc, sync });
  }
  return [...nodes.values()];
}

const json = (node: Node) => node.doc.getMap('notes').toJSON();

afterEach(() => vi.useRealTimers());

describe('DocSync', () => {
  it('spreads local updates by broadcast and never echoes remote ones', () => {
    const [a, b] = room(['a', 'b'], 0);
    a!.doc.getMap('notes').set('n1', 'hello');
    expect(json(b!)).toEqual({ n1: 'hello' });
    expect(a!.sync.stats().updatesSent).toBe(1);
    expect(b!.sync.stats().updatesSent).toBe(0);
    for (const node of [a!, b!]) node.sync.stop();
  });

  it('catches up a late joiner with sync step 1/2 when the link comes up', () => {
    const [a, late] = room(['a', 'late'], 1); // every broadcast lost
    a!.doc.getMap('notes').set('n1', 'before');
    late!.doc.getMap('notes').set('n2', 'offline');
    expect(json(late!)).toEqual({ n2: 'offline' });
    late!.sync.neighborUp('a');
    a!.sync.neighborUp('late');
    expect(json(late!)).toEqual({ n1: 'before', n2: 'offline' });
    expect(json(a!)).toEqual({ n1: 'before', n2: 'offline' });
    for (const node of [a!, late!]) node.sync.stop();
  });

  it('converges at 50% broadcast loss within a few anti-entropy periods, and counts duplicates', () => {
    vi.useFakeTimers();
    const nodes = room(['a', 'b', 'c', 'd'], 0.5, 7);
    for (const [i, node] of nodes.entries()) {
      for (let k = 0; k < 5; k += 1) node.doc.getMap('notes').set(`${node.id}${k}`, i * 10 + k);
    }
    nodes[0]!.doc.getMap('notes').delete('a0');
    // A full mesh: every node a neighbour of every other (the periodic exchange picks among neighbours).
    for (const node of nodes) for (const other of nodes) if (other !== node) node.sync.neighborUp(other.id);
    vi.advanceTimersByTime(4 * 7500);
    const expected = json(nodes[0]!);
    expect(Object.keys(expected)).toHaveLength(19);
    for (const node of nodes) expect(json(node)).toEqual(expected);
    // Reciprocated rounds re-send what the other side already has: counted as duplicates.
    expect(nodes.reduce((sum, node) => sum + node.sync.stats().duplicateUpdates, 0)).toBeGreaterThan(0);
    for (const node of nodes) node.sync.stop();
  });
});
