/**
 * Issue 12: "a single crash must not split the room". Eight tabs at
 * maxLinks 3 with the signaling server down; two crash 15 s apart, so the
 * room repairs after the first (over the mesh) before the second. The
 * second crash must leave the survivors' link graph in one piece.
 *
 * It does not today in 1 of 40 seeds: the repair after a loss links to a
 * random candidate, not to one that removes a cut vertex, so a repaired
 * sparse mesh can hang on one tab. `it.fails` until repair prefers a link
 * that removes a single point of failure (docs: the session 10 closing note;
 * tabs would need their neighbours' neighbour lists to see cut vertices).
 */
import { describe, expect, it } from 'vitest';
import { Room, peerIds } from './room.js';

const TABS = 8;
const SEEDS = 40;
const GAP_MS = 15_000;

function splitAfterTwoCrashes(seed: number): boolean | undefined {
  const room = new Room({ seed, engine: { overlay: { maxLinks: 3, targetLinks: 3 } }, checkInvariants: false });
  peerIds(TABS).forEach((id, i) => room.sim.join(id, i * 300));
  room.sim.runUntil(TABS * 300 + 500);
  if (room.runUntilConverged(40_000, 250) === undefined) return undefined;
  room.sim.runUntil(room.sim.now + 5000);
  room.sim.stopServer('default', room.sim.now);
  room.sim.runUntil(room.sim.now + 1000);
  for (const index of [2, 5]) {
    const up = room.sim.upNodes();
    room.sim.crash(up[index % up.length] as string, room.sim.now);
    room.sim.runUntil(room.sim.now + GAP_MS);
  }
  room.sim.runUntil(room.sim.now + 8000);
  return room.sim.linkGraphComponents().length > 1;
}

describe('a single crash with the server down', () => {
  // flips to it() when link repair removes single points of failure (issue 12)
  it.fails(`never splits a repaired room of ${TABS} tabs at maxLinks 3 (${SEEDS} seeds, crashes ${GAP_MS / 1000} s apart)`, () => {
    const split: number[] = [];
    let unconverged = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = splitAfterTwoCrashes(seed);
      if (result === undefined) unconverged += 1;
      else if (result) split.push(seed);
    }
    console.log(`single crash after a repair: room split in ${split.length}/${SEEDS - unconverged} seeds (${split.join(', ') || 'none'}); ${unconverged} did not converge`);
    expect(unconverged).toBe(0);
    expect(split).toEqual([]);
  }, 180_000);
});
