import { describe, expect, it } from 'vitest';
import { findDisagreements, stableJson, stateVectorDiff, type LabelledSnapshot } from './convergence.js';
import type { UserSnapshot } from './snapshot.js';

const snap = (selfId: string, peers: Record<string, Record<string, unknown>>, extra: Partial<UserSnapshot> = {}): UserSnapshot => ({
  selfId,
  peers: Object.keys(peers).sort(),
  presence: peers,
  versions: null,
  selfPresence: { name: selfId },
  stateVector: null,
  links: null,
  ...extra,
});

const user = (i: number, snapshot: UserSnapshot): LabelledSnapshot => ({ label: `user[${i}]`, snapshot });

describe('findDisagreements', () => {
  it('is empty when everyone sees everyone with their own presence', () => {
    const room = [
      user(0, snap('a', { b: { name: 'b' }, c: { name: 'c' } })),
      user(1, snap('b', { a: { name: 'a' }, c: { name: 'c' } })),
      user(2, snap('c', { a: { name: 'a' }, b: { name: 'b' } })),
    ];
    expect(findDisagreements(room)).toEqual([]);
  });

  it('names who misses whom and who still sees a gone user, by label', () => {
    const room = [user(0, snap('a', { x: { name: 'x' } })), user(1, snap('b', { a: { name: 'a' } }))];
    expect(findDisagreements(room, new Map([['x', 'killed user[2]']]))).toEqual([
      'user[0] (a) does not see user[1] (b)',
      'user[0] (a) still sees killed user[2] (x), which should be gone',
    ]);
  });

  it('says what the engine and the link layer hold about a user that should be gone', () => {
    const a = snap('a', { x: { name: 'x' } }, { members: { x: 'suspect@2 neighbour' }, links: [{ peer: 'x', state: 'open' }] });
    expect(findDisagreements([user(0, a)], new Map([['x', 'closed user[1]']]))).toEqual([
      'user[0] (a) still sees closed user[1] (x) [engine: suspect@2 neighbour, link: open], which should be gone',
    ]);
  });

  it('compares presence by value, whatever the key order', () => {
    const a = snap('a', { b: { y: 2, x: 1 } }, { selfPresence: { name: 'a' } });
    const b = snap('b', { a: { name: 'a' } }, { selfPresence: { x: 1, y: 2 } });
    expect(findDisagreements([user(0, a), user(1, b)])).toEqual([]);
    const stale = snap('a', { b: { x: 0, y: 2 } });
    expect(findDisagreements([user(0, stale), user(1, b)])).toEqual([
      'user[0] (a) has presence of user[1] (b) as {"x":0,"y":2}, but user[1] (b) has {"x":1,"y":2}',
    ]);
  });

  it('reports differing presence versions when the room exposes them', () => {
    const a = snap('a', { c: { name: 'c' } , b: { name: 'b' } }, { versions: { c: 3 } });
    const b = snap('b', { c: { name: 'c' }, a: { name: 'a' } }, { versions: { c: 4 } });
    const c = snap('c', { a: { name: 'a' }, b: { name: 'b' } });
    expect(findDisagreements([user(0, a), user(1, b), user(2, c)])).toEqual(['presence versions of user[2] (c) differ: user[0] at 3; user[1] at 4']);
  });

  it('reports Yjs state vector differences and a user without a doc', () => {
    const a = snap('a', { b: { name: 'b' }, c: { name: 'c' } }, { stateVector: { '7': 3, '9': 1 } });
    const b = snap('b', { a: { name: 'a' }, c: { name: 'c' } }, { stateVector: { '7': 2 } });
    const c = snap('c', { a: { name: 'a' }, b: { name: 'b' } });
    expect(findDisagreements([user(0, a), user(1, b), user(2, c)])).toEqual([
      'user[2] (c) has no room.doc while others do',
      'Yjs state vectors differ: user[0] (a) vs user[1] (b): client 7: 3 vs 2; client 9: 1 vs missing',
    ]);
  });
});

describe('helpers', () => {
  it('stableJson sorts keys at every depth and keeps arrays in order', () => {
    expect(stableJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });

  it('stateVectorDiff is empty for equal vectors', () => {
    expect(stateVectorDiff({ '1': 2 }, { '1': 2 })).toBe('');
  });
});
