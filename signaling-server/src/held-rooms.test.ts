import { describe, expect, it } from 'vitest';
import { dropRoom, heldCount, heldPeer, heldRoomNames, holdRoom, type HeldRooms } from './held-rooms.js';

const empty = (): HeldRooms => ({ room: undefined, peer: undefined, more: undefined });

/** The same operations on a plain Map, the behaviour HeldRooms must match. */
function check(held: HeldRooms, model: Map<string, string>): void {
  expect(heldCount(held)).toBe(model.size);
  expect(new Set(heldRoomNames(held))).toEqual(new Set(model.keys()));
  for (const [room, peer] of model) expect(heldPeer(held, room)).toBe(peer);
  expect(heldPeer(held, 'never-held')).toBeUndefined();
  // No Map is kept for a room that fits inline.
  if (model.size <= 1) expect(held.more).toBeUndefined();
}

describe('HeldRooms', () => {
  it('keeps a single room inline, with no Map', () => {
    const held = empty();
    holdRoom(held, 'a', 'p1');
    expect(held).toEqual({ room: 'a', peer: 'p1', more: undefined });
    holdRoom(held, 'a', 'p2');
    expect(held).toEqual({ room: 'a', peer: 'p2', more: undefined });
    expect(dropRoom(held, 'a')).toBe(true);
    expect(dropRoom(held, 'a')).toBe(false);
    expect(held).toEqual(empty());
  });

  it('matches a Map through 5,000 random holds and drops', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const held = empty();
    const model = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const room = `r${Math.floor(random() * 4)}`;
      if (random() < 0.55) {
        const peer = `p${i}`;
        holdRoom(held, room, peer);
        model.set(room, peer);
      } else {
        expect(dropRoom(held, room)).toBe(model.delete(room));
      }
      check(held, model);
    }
  });
});
