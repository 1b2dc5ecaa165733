/**
 * The engine under the simulator: fixed seeds, virtual time, invariants
 * checked at every step (Room fails the run if an active view exceeds
 * maxLinks). A failure names its seed; `SEED=n npx vitest run shared` replays it.
 */
import { describe, expect, it } from 'vitest';
import { seedsFor, withSeed } from '../../test/seeds.js';
import type { PeerId, Presence } from '../engine/types.js';
import { BodyKind } from '../gossip/wire/gossip-body.js';
import { peekGossip } from '../gossip/wire/peek.js';
import { createPrng } from '../prng.js';
import { Room, peerIds } from './room.js';

/** Virtual time is fast, but a loaded CI machine is slow: generous wall-clock limits. */
const SIM_TIMEOUT_MS = 120_000;

function joinAll(room: Room, ids: readonly PeerId[], overMs: number): void {
  ids.forEach((id, i) => room.sim.join(id, (i * overMs) / ids.length));
}

/**
 * Open links per peer: the active view (≤ maxLinks, checked at every step by
 * Room's invariant) plus links still in a handshake (a request being
 * answered or refused), which close within a maintenance period or two.
 */
function physicalLinksOk(room: Room, max: number): string | undefined {
  for (const id of room.sim.upNodes()) {
    const snapshot = room.engine(id).snapshot();
    const links = room.sim.linksOf(id).size;
    const handshaking = [...room.sim.linksOf(id)].filter((peer) => !snapshot.active.includes(peer)).length;
    if (snapshot.active.length > max) return `${id} has ${snapshot.active.length} neighbours`;
    if (links - handshaking > max || handshaking > 2) return `${id} holds ${links} links (${handshaking} in handshake)`;
  }
  return undefined;
}

describe('simulated rooms', () => {
  for (const seed of seedsFor([11])) {
    it(`presence converges for 200 peers at 10% loss (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.1 } });
        const ids = peerIds(200);
        joinAll(room, ids, 10_000);
        const presence = new Map<PeerId, Presence>();
        ids.forEach((id, i) => {
          presence.set(id, { name: id, x: i });
          room.sim.command(id, { type: 'set-presence', presence: { name: id, x: i } }, 12_000 + i * 10);
        });
        const at = room.runUntilConverged(45_000, 500, (id) => presence.get(id));
        expect(room.divergence((id) => presence.get(id))).toBeUndefined();
        expect(at).toBeLessThanOrEqual(45_000);
        expect(room.falseDead).toEqual([]);
        expect(room.malformed).toEqual([]);
        room.sim.runUntil(room.sim.now + 2000);
        expect(physicalLinksOk(room, 8)).toBeUndefined();
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([21])) {
    it(`a partition heals and every survivor converges (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.05 } });
        const ids = peerIds(60);
        joinAll(room, ids, 6000);
        room.sim.runUntil(15_000);
        expect(room.divergence()).toBeUndefined();
        room.sim.partition((id) => (ids.indexOf(id) < 30 ? 0 : 1));
        room.sim.runUntil(45_000);
        // Each side has judged the other dead by now.
        expect(room.views.get(ids[0] as PeerId)?.size).toBeLessThan(40);
        room.sim.heal();
        const at = room.runUntilConverged(105_000, 500);
        expect(room.divergence()).toBeUndefined();
        expect(at).toBeDefined();
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([31])) {
    it(`survives churn: joins, leaves and crashes, then converges (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.05 } });
        const rng = createPrng(seed);
        const ids = peerIds(120);
        const first = ids.slice(0, 60);
        joinAll(room, first, 5000);
        let next = 60;
        const alive = new Set(first);
        for (let t = 10_000; t < 50_000; t += 500) {
          const roll = rng.next();
          if (roll < 0.5 && next < ids.length) {
            const id = ids[next++] as PeerId;
            room.sim.join(id, t);
            alive.add(id);
          } else {
            const victim = rng.pick([...alive]) as PeerId;
            alive.delete(victim);
            if (roll < 0.75) room.sim.leave(victim, t);
            else room.sim.crash(victim, t);
          }
        }
        room.sim.runUntil(50_000);
        const at = room.runUntilConverged(90_000, 500);
        expect(room.divergence()).toBeUndefined();
        expect(at).toBeDefined();
        expect(room.falseDead).toEqual([]);
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([41])) {
    it(`a crashed peer is declared dead by all, quickly, with no false verdicts (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.1 } });
        const ids = peerIds(100);
        joinAll(room, ids, 5000);
        room.sim.runUntil(20_000);
        const victims = ['p10', 'p55'];
        for (const victim of victims) room.sim.crash(victim, 20_000);
        room.sim.runUntil(40_000);
        for (const victim of victims) {
          const verdicts = room.verdicts.filter((v) => v.peer === victim && v.reason === 'dead');
          expect(new Set(verdicts.map((v) => v.observer)).size).toBe(ids.length - victims.length);
          const worst = Math.max(...verdicts.map((v) => v.at - 20_000));
          expect(worst).toBeLessThanOrEqual(15_000);
        }
        expect(room.falseDead).toEqual([]);
        expect(room.divergence()).toBeUndefined();
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([43])) {
    it(`a tab whose link dies right after it spoke, goodbye lost, is still declared dead (seed ${seed})`, () => {
      withSeed(seed, () => {
        // Two tabs: nobody else would ever probe the gone one, so the survivor must check.
        const room = new Room({ seed });
        joinAll(room, ['p0', 'p1'], 100);
        room.sim.runUntil(20_000);
        room.sim.command('p1', { type: 'set-presence', presence: { last: 'words' } }, 20_000);
        room.sim.crash('p1', 20_010);
        room.sim.command('p0', { type: 'link-down', peer: 'p1' }, 20_060);
        room.sim.runUntil(40_000);
        const verdict = room.verdicts.find((v) => v.peer === 'p1' && v.observer === 'p0');
        expect(verdict?.reason).toBe('dead');
        expect(verdict!.at - 20_010).toBeLessThanOrEqual(15_000);
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([51])) {
    it(`no false dead verdicts over five minutes at 10% loss (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.1 }, trackViews: false });
        joinAll(room, peerIds(60), 5000);
        room.sim.runUntil(300_000);
        expect(room.falseDead).toEqual([]);
        expect(room.verdicts).toEqual([]);
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([52])) {
    it(`no false dead verdicts without room-wide membership at 10% loss (seed ${seed})`, () => {
      withSeed(seed, () => {
        // Nothing repairs a refutation a tab missed here (no anti-entropy): only the suspect's accusers judge.
        const room = new Room({ seed, network: { loss: 0.1 }, trackViews: false, engine: { roomMembership: false } });
        joinAll(room, peerIds(300), 3000);
        room.sim.runUntil(60_000);
        expect(room.falseDead).toEqual([]);
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([63])) {
    it(`a join burst does not send old announcements around again (seed ${seed})`, () => {
      withSeed(seed, () => {
        // Newcomers learn the room from anti-entropy; an ALIVE they pull later is stale to them and must
        // not be passed on to the newcomers after them. Before that rule, 15% of the frames here were such
        // old copies (and a third at N=1,000); with it, under 4%.
        const room = new Room({ seed, network: { loss: 0.1 } });
        joinAll(room, peerIds(400), 4000);
        const firstSent = new Map<string, number>();
        let frames = 0;
        let old = 0;
        room.sim.observers.push({
          onSend: (_from, _to, bytes, now) => {
            const peek = peekGossip(bytes);
            // Announcements only: link signals the driver also routes over the mesh are floods of their own.
            if (!peek || peek.kind === BodyKind.ROUTED) return;
            const key = `${peek.origin}/${peek.seq}`;
            const first = firstSent.get(key) ?? now;
            firstSent.set(key, first);
            frames += 1;
            if (now - first > 3000) old += 1;
          },
        });
        expect(room.runUntilConverged(45_000, 500)).toBeDefined();
        expect(frames).toBeGreaterThan(400 * 100);
        expect(old / frames).toBeLessThan(0.07);
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([61])) {
    it(`a graceful leave leaves every view within a second (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed, network: { loss: 0.1 } });
        joinAll(room, peerIds(80), 5000);
        room.sim.runUntil(20_000);
        room.sim.leave('p07', 20_000);
        room.sim.runUntil(21_000);
        const left = room.verdicts.filter((v) => v.peer === 'p07');
        expect(left.every((v) => v.reason === 'left')).toBe(true);
        expect(room.divergence()).toBeUndefined();
      });
    }, SIM_TIMEOUT_MS);
  }

  for (const seed of seedsFor([71])) {
    it(`routes a payload to a peer that is not a neighbour (seed ${seed})`, () => {
      withSeed(seed, () => {
        const room = new Room({ seed });
        joinAll(room, peerIds(60), 5000);
        room.sim.runUntil(15_000);
        const from = room.engine('p00');
        const target = peerIds(60).find((id) => id !== 'p00' && !from.neighbors().has(id)) as PeerId;
        const got: Array<{ at: PeerId; from: PeerId; payload: number[] }> = [];
        room.sim.observers.push({
          onEvent: (at, output) => {
            if (output.type === 'routed') got.push({ at, from: output.from, payload: [...output.payload] });
          },
        });
        room.sim.command('p00', { type: 'route', to: target, payload: Uint8Array.of(4, 2) });
        room.sim.runUntil(18_000);
        expect(got).toEqual([{ at: target, from: 'p00', payload: [4, 2] }]);
      });
    }, SIM_TIMEOUT_MS);
  }

  it('replays a run exactly from its seed', () => {
    const run = (): string => {
      const room = new Room({ seed: 99, network: { loss: 0.1 } });
      joinAll(room, peerIds(30), 3000);
      room.sim.runUntil(10_000);
      return JSON.stringify([room.sim.counters, room.engine('p03').snapshot()]);
    };
    expect(run()).toBe(run());
  });
});
