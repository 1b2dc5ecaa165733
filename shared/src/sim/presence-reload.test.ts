/**
 * A tab that reloads under the same id starts its presence versions at 0,
 * and presence is ordered by version alone: until it outbid its previous
 * session (Liveness.outbidPresence), the room kept showing the old presence
 * until the new count passed the old one (after a reload and one update,
 * 0 of 49 peers showed it).
 */
import { describe, expect, it } from 'vitest';
import { ATTACK, settledRoom } from './adversary-room.js';

const { seed: SEED, victim: TAB, timeoutMs: TIMEOUT_MS } = ATTACK;

describe('presence across a reload under the same id', () => {
  it('the reloaded tab\'s first presence replaces its previous session\'s everywhere', () => {
    const room = settledRoom(SEED, {});
    const start = room.sim.now;
    for (let i = 1; i <= 5; i++) room.sim.command(TAB, { type: 'set-presence', presence: { session: 'old', n: i } }, start + 500 * i);
    room.sim.runUntil(start + 5000);
    const showing = (want: string) => room.honestUp(TAB).filter((id) => JSON.stringify(room.engine(id).member(TAB)?.presence) === want).length;
    const others = room.honestUp(TAB).length;
    expect(showing('{"session":"old","n":5}')).toBe(others);
    room.restart(TAB, room.sim.now);
    room.sim.runUntil(room.sim.now + 5000);
    room.sim.command(TAB, { type: 'set-presence', presence: { session: 'new', n: 1 } }, room.sim.now + 10);
    room.sim.runUntil(room.sim.now + 30_000);
    const fresh = showing('{"session":"new","n":1}');
    console.log(`presence after a reload and one update: ${fresh}/${others} peers show the new session's`);
    expect(fresh).toBe(others);
  }, TIMEOUT_MS);
});
