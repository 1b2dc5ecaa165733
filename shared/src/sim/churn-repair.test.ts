/**
 * Issue 12's failures, in the simulator: a room of tabs at maxLinks 3 with
 * the signaling server stopped loses tabs back to back (closes and a crash,
 * the next as soon as the survivors agree on the last), and a tab cut off
 * while the server is down must merge back when it returns.
 */
import { describe, expect, it } from 'vitest';
import { seedsFor, withSeed } from '../../test/seeds.js';
import type { PeerId } from '../engine/types.js';
import { Room, peerIds } from './room.js';

const SIM_TIMEOUT_MS = 120_000;
const ENGINE = { overlay: { maxLinks: 3, targetLinks: 3 } };
/** The overlay's maintenance period (config.overlay.maintainIntervalMs default). */
const MAINTAIN_MS = 1000;

/** Runs until every survivor's view is exactly the other survivors (checked every 100 ms), or `until`. */
function agree(room: Room, until: number): number | undefined {
  return room.runUntilConverged(until, 100);
}

describe('churn with the server down', () => {
  for (const seed of seedsFor([301, 302, 303, 304, 305, 306, 307, 308, 309, 310])) {
    it(`two closes and a crash, each once the room agrees, do not split 6–12 tabs at maxLinks 3 (seed ${seed})`, () => {
      withSeed(seed, () => {
        const n = 6 + (seed % 7);
        const room = new Room({ seed, engine: ENGINE });
        const ids = peerIds(n);
        ids.forEach((id, i) => room.sim.join(id, i * 300));
        expect(agree(room, 30_000)).toBeDefined();
        room.sim.runUntil(room.sim.now + 5000);
        room.sim.stopServer('default', room.sim.now);
        room.sim.runUntil(room.sim.now + 1000);
        const up = room.sim.upNodes();
        const [first, second, third] = [up[1], up[3], up[0]] as [PeerId, PeerId, PeerId];
        // Each departure as soon as the survivors agree on the last one and the repair had time
        // passed (two, and a handshake): by then every survivor must hold min(2, live − 1) links again.
        const floorHeld = (): string | undefined => {
          const live = room.sim.upNodes();
          for (const id of live) if (room.sim.linksOf(id).size < Math.min(2, live.length - 1)) return `${id} holds ${room.sim.linksOf(id).size} links`;
          return undefined;
        };
        for (const gone of [first, second]) {
          room.sim.leave(gone, room.sim.now);
          expect(agree(room, room.sim.now + 30_000), `after ${gone} left`).toBeDefined();
          room.sim.runUntil(room.sim.now + 2 * MAINTAIN_MS + 1000); // two periods and a handshake over the mesh
          expect(floorHeld(), `after ${gone} left`).toBeUndefined();
        }
        room.sim.crash(third, room.sim.now);
        const crashedAt = room.sim.now;
        let worst = 1;
        while (room.sim.now < crashedAt + 30_000) {
          room.sim.runUntil(room.sim.now + 100);
          worst = Math.max(worst, room.sim.linkGraphComponents().length);
        }
        const why = (): string => {
          const missing = room.divergence() ?? '';
          const [who, , , , , , lacking] = missing.split(/[ (;,]+/);
          const member = who && lacking ? room.engine(who).member(lacking) : undefined;
          return `${missing}; ${who} holds ${lacking} ${member?.status}@${member?.incarnation}; components ${JSON.stringify(room.sim.linkGraphComponents())}; falseDead ${JSON.stringify(room.falseDead)}`;
        };
        expect(room.divergence(), why()).toBeUndefined();
        expect(room.falseDead).toEqual([]);
        expect(worst, 'link graph split after the crash').toBe(1);
        const live = room.sim.upNodes();
        for (const id of live) expect(room.sim.linksOf(id).size, `${id} links`).toBeGreaterThanOrEqual(Math.min(2, live.length - 1));
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([311, 312, 313])) {
    it(`a tab cut off with the server down merges back within 10 s of the server's return (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, engine: ENGINE });
        const ids = peerIds(6);
        ids.forEach((id, i) => room.sim.join(id, i * 300));
        expect(agree(room, 30_000)).toBeDefined();
        room.sim.stopServer('default', 30_000);
        room.sim.dropLinks('p5', 31_000);
        room.sim.runUntil(60_000);
        expect(room.sim.linkGraphComponents().map((c) => c.length)).toEqual([5, 1]);
        room.sim.startServer('default', 60_000);
        // Clients retry at most 5 s apart (maxBackoffMs), then the sides must merge.
        const allAlive = (): string | undefined => {
          for (const id of room.sim.upNodes()) {
            for (const peer of room.sim.upNodes()) if (peer !== id && room.engine(id).member(peer)?.status !== 'alive') return `${id} holds ${peer} ${room.engine(id).member(peer)?.status}`;
          }
          return room.divergence();
        };
        let merged: number | undefined;
        while (room.sim.now < 80_000 && merged === undefined) {
          room.sim.runUntil(room.sim.now + 100);
          if (allAlive() === undefined) merged = room.sim.now;
        }
        expect(merged, allAlive()).toBeDefined();
        // Up to 5 s for the client's next retry (maxBackoffMs), then 10 s to merge.
        expect((merged as number) - 60_000).toBeLessThanOrEqual(15_000);
        expect(room.sim.linkGraphComponents()).toHaveLength(1);
      });
    }, SIM_TIMEOUT_MS);
  }
});
