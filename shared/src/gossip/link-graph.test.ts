import { describe, expect, it } from 'vitest';
import { createPrng } from '../prng.js';
import { cutVertex } from './link-graph.js';

const lists = (entries: Record<string, string[]>) => (peer: string) => (entries[peer] ? new Set(entries[peer]) : undefined);

describe('cutVertex', () => {
  it('finds the hub two tabs hang on: their only way to the other five', () => {
    // m and b link to each other and to h; h also links to the rest of a room of 8.
    expect(cutVertex('m', new Set(['h', 'b']), 7, lists({ b: ['m', 'h'], h: ['m', 'b', 'x'] }))).toBe('h');
  });

  it('finds none when another neighbour links beyond the group', () => {
    expect(cutVertex('m', new Set(['h', 'b']), 7, lists({ b: ['m', 'h', 'z'], h: ['m', 'b', 'x'] }))).toBeUndefined();
  });

  it('finds none while a list is unknown, with one neighbour, or with no one beyond the hub', () => {
    expect(cutVertex('m', new Set(['h', 'b']), 7, lists({ h: ['m', 'b', 'x'] }))).toBeUndefined();
    expect(cutVertex('m', new Set(['h']), 7, lists({ h: ['m', 'x'] }))).toBeUndefined();
    // a room of three in a triangle: nothing beyond either neighbour
    expect(cutVertex('m', new Set(['h', 'b']), 2, lists({ b: ['m', 'h'], h: ['m', 'b'] }))).toBeUndefined();
  });

  it('sees a hub whichever neighbour it is, and a group of three behind it', () => {
    const found = cutVertex('m', new Set(['b', 'c', 'h']), 9, lists({ b: ['m', 'c', 'h'], c: ['m', 'b'], h: ['m', 'b', 'x', 'y'] }));
    expect(found).toBe('h');
  });

  it('agrees with the definition, checked hub by hub, on 2,000 random two-hop views', () => {
    // The definition: some neighbour `hub` such that every other neighbour's list is known and holds only
    // us, our neighbours and the hub, with someone in the room beyond us and our neighbours.
    const byDefinition = (neighbors: Set<string>, liveOthers: number, of: (peer: string) => Set<string> | undefined): string | undefined => {
      if (neighbors.size < 2 || liveOthers <= neighbors.size) return undefined;
      return [...neighbors].find((hub) => [...neighbors].every((member) => member === hub || [...(of(member) ?? ['?'])].every((peer) => peer === 'm' || neighbors.has(peer))));
    };
    const rng = createPrng(7);
    const names = ['a', 'b', 'c', 'd', 'e', 'x', 'y'];
    let hubs = 0;
    for (let run = 0; run < 2000; run++) {
      const neighbors = new Set(rng.sample(names.slice(0, 5), 1 + rng.int(4)));
      const entries: Record<string, string[]> = {};
      for (const peer of neighbors) if (rng.next() < 0.95) entries[peer] = ['m', ...rng.sample(names.filter((name) => name !== peer), rng.int(3))];
      const liveOthers = neighbors.size + rng.int(3);
      const expected = byDefinition(neighbors, liveOthers, lists(entries));
      if (expected !== undefined) hubs += 1;
      expect(cutVertex('m', neighbors, liveOthers, lists(entries))).toBe(expected);
    }
    expect(hubs).toBeGreaterThan(100);
  });
});
