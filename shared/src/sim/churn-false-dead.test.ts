/**
 * Issue 12's e2e failure in the simulator: six tabs at maxLinks 3, the
 * signaling server stopped, then two closes and a kill back to back (each
 * departure as soon as the survivors agree on the last one, the victim picked
 * the way e2e/support/mesh.ts pickVictim does: the departure that leaves the
 * thinnest mesh without cutting it). In the browser, 1 run in 20: while the
 * killed tab was being detected, the link between two live survivors
 * dropped, each declared the other dead, and one ended with no link and the
 * room split until the server returned.
 *
 * The same happens here with starved CPUs (the simulator's `cpu` model: late
 * timers, stalls) and loss: a refutation that went only to a tree parent that
 * then left, an IHAVE lost, a verdict from a neighbour that still heard the
 * accused over its own link, an eviction of a neighbour whose only link was
 * ours. Every seed below failed on the engine before the fix (e.g. seed 40,
 * cpu and loss: p4 declared p5 dead, p3 followed, both dropped their links
 * and p5 was cut off).
 */
import { describe, expect, it } from 'vitest';
import { seedsFor, withSeed } from '../../test/seeds.js';
import type { PeerId } from '../engine/types.js';
import { Room, peerIds } from './room.js';
import type { CpuModel } from './simulator.js';

const SIM_TIMEOUT_MS = 120_000;
const ENGINE = { overlay: { maxLinks: 3, targetLinks: 3 } };
/** The starved CPU of bench:swarm's 60 Node peers on 2 cores (see cpu.ts). */
const STARVED: CpuModel = { eventMs: 0.5, stallOdds: 0.002, stallMs: 3000 };

interface Mode {
  name: string;
  cpu?: CpuModel;
  loss?: number;
  seeds: number[];
}

const MODES: Mode[] = [
  { name: 'no loss', seeds: range(1, 30) },
  { name: '5% loss', loss: 0.05, seeds: range(1, 30) },
  // Seeds that split the room or held a live tab dead before the fix.
  { name: 'starved CPUs', cpu: STARVED, seeds: [205, 283, 534, 567, 569] },
  { name: 'starved CPUs and 5% loss', cpu: STARVED, loss: 0.05, seeds: [40, 485, 647, 765] },
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function connected(ids: readonly PeerId[], neighbours: (id: PeerId) => Iterable<PeerId>): boolean {
  const wanted = new Set(ids);
  const first = ids[0];
  if (first === undefined) return true;
  const seen = new Set([first]);
  const stack = [first];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    for (const peer of neighbours(id)) {
      if (wanted.has(peer) && !seen.has(peer)) {
        seen.add(peer);
        stack.push(peer);
      }
    }
  }
  return seen.size === wanted.size;
}

/** e2e/support/mesh.ts pickVictim: the departure leaving the rest connected with the lowest degree, then the fewest links. */
function pickVictim(room: Room, alive: readonly PeerId[]): PeerId | undefined {
  let best: { id: PeerId; minDegree: number; edges: number } | undefined;
  for (const id of alive) {
    const rest = alive.filter((peer) => peer !== id);
    if (!connected(rest, (peer) => room.sim.linksOf(peer))) continue;
    const restSet = new Set(rest);
    const degrees = rest.map((peer) => [...room.sim.linksOf(peer)].filter((other) => restSet.has(other)).length);
    const minDegree = Math.min(...degrees);
    const edges = degrees.reduce((a, b) => a + b, 0) / 2;
    if (!best || minDegree < best.minDegree || (minDegree === best.minDegree && edges < best.edges)) best = { id, minDegree, edges };
  }
  return best?.id;
}

/** One run; returns what went wrong, or undefined. */
function closesAndKill(seed: number, mode: Mode): string | undefined {
  const room = new Room({ seed, engine: ENGINE, network: { loss: mode.loss ?? 0 }, sim: mode.cpu ? { cpu: mode.cpu } : undefined });
  peerIds(6).forEach((id, i) => room.sim.join(id, i * 300));
  if (room.runUntilConverged(30_000, 100) === undefined) return `no first convergence: ${room.divergence()}`;
  room.sim.runUntil(room.sim.now + 5000);
  room.sim.stopServer('default', room.sim.now);
  room.sim.runUntil(room.sim.now + 1000);
  for (const how of ['close', 'close', 'kill'] as const) {
    const victim = pickVictim(room, room.sim.upNodes());
    if (victim === undefined) return `before the ${how}: every departure would cut a tab off: ${JSON.stringify(room.sim.linkGraphComponents())}`;
    if (how === 'close') room.sim.leave(victim, room.sim.now);
    else room.sim.crash(victim, room.sim.now);
    if (room.runUntilConverged(room.sim.now + 30_000, 50) === undefined) {
      return `after the ${how} of ${victim}: ${room.divergence()}; false dead ${JSON.stringify(room.falseDead)}`;
    }
  }
  const killedAt = room.sim.now;
  let components = 1;
  while (room.sim.now < killedAt + 30_000) {
    room.sim.runUntil(room.sim.now + 100);
    components = Math.max(components, room.sim.linkGraphComponents().length);
  }
  if (room.falseDead.length > 0) return `false dead ${JSON.stringify(room.falseDead)}`;
  if (components > 1) return `the survivors' link graph split (${components} components)`;
  return room.divergence();
}

describe('two closes and a kill back to back, server down, 6 tabs at maxLinks 3 (the churn e2e)', () => {
  for (const mode of MODES) {
    it(`no false dead and no split with ${mode.name} (seeds ${mode.seeds.join(', ')})`, () => {
      const failures: string[] = [];
      for (const seed of seedsFor(mode.seeds)) {
        withSeed(seed, () => {
          const problem = closesAndKill(seed, mode);
          if (problem !== undefined) failures.push(`seed ${seed}: ${problem}`);
        });
      }
      expect(failures).toEqual([]);
    }, SIM_TIMEOUT_MS);
  }
});
