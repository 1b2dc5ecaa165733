import { describe, expect, it } from 'vitest';
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
});
