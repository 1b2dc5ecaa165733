/**
 * The gossip engine's benchmark run, in the simulator, one room:
 *   1. N peers join over max(2 s, 10 ms × N) (at most 30 s), then 20 s to settle;
 *   2. 30 s idle: all engine traffic is counted (membership load; a false
 *      suspicion is a rare, room-wide event, so a short window mostly measures
 *      whether one happened to fall in it);
 *   3. `updates` app broadcasts from random peers, one every 500 ms, then 10 s;
 *   4. a few peers crash at once (silently: their links stay open); 30 s.
 * False dead verdicts are counted over the whole run.
 *
 * Above 2,000 peers room-wide membership (O(N²) records in one process) does
 * not fit: those runs use `roomMembership: false` (scenario "room-lite") and
 * count detection only at survivors that knew the victim.
 */
import { BodyKind } from '../shared/src/gossip/wire/gossip-body.js';
import { peekGossip } from '../shared/src/gossip/wire/peek.js';
import { createPrng } from '../shared/src/prng.js';
import { Room, peerIds } from '../shared/src/sim/room.js';
import type { NetworkModel } from '../shared/src/sim/simulator.js';
import { percentile, round } from './stats.js';
import type { BenchRow } from './result.js';
import { makePayload, payloadIndex, type RunOptions } from './run-options.js';

/** Length of the idle window whose traffic is the membership load, ms. */
const IDLE_MS = 30_000;

interface Update {
  origin: string;
  at: number;
  live: number;
  copies: number;
  reached: Set<string>;
}

export function runGossip(options: RunOptions, network: Partial<NetworkModel>): BenchRow {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const { n, loss, seed, updates: updateCount } = options;
  const roomMembership = n <= 2000;
  const room = new Room({ seed, network: { ...network, loss }, trackViews: false, checkInvariants: false, engine: { roomMembership } });
  const rng = createPrng(seed ^ 0x5bd1e995);
  const ids = peerIds(n);
  const joinMs = Math.min(30_000, Math.max(2000, n * 10));
  ids.forEach((id, i) => room.sim.join(id, (i * joinMs) / n));

  const idleFrom = joinMs + 20_000;
  const idleTo = idleFrom + IDLE_MS;
  let idleMsgs = 0;
  let idleBytes = 0;
  const updates: Update[] = [];
  const hops: number[] = [];
  const latencies: number[] = [];

  // App payloads only travel from the first publish on: before that, decoding every frame would cost
  // more than the engine spends on the join burst.
  const publishFrom = idleTo;
  room.sim.observers.push({
    onSend: (_from, _to, bytes, now) => {
      if (now >= idleFrom && now < idleTo) {
        idleMsgs += 1;
        idleBytes += bytes.length;
      }
      if (now < publishFrom) return;
      const peek = peekGossip(bytes);
      if (peek?.kind === BodyKind.DATA && peek.payload) {
        const update = updates[payloadIndex(peek.payload)];
        if (update) update.copies += 1;
      }
    },
    onReceive: (at, _from, bytes, now) => {
      if (now < publishFrom) return;
      const peek = peekGossip(bytes);
      if (peek?.kind !== BodyKind.DATA || !peek.payload) return;
      const update = updates[payloadIndex(peek.payload)];
      if (!update || update.reached.has(at) || at === update.origin) return;
      update.reached.add(at);
      hops.push(peek.round);
      latencies.push(now - update.at);
    },
  });

  const progress = (phase: string): void => {
    process.stderr.write(`  gossip N=${n} loss=${loss}: ${phase} at ${Math.round(performance.now() - wallStart)} ms\n`);
  };
  room.sim.runUntil(idleFrom);
  progress('joined and settled');
  room.sim.runUntil(idleTo);
  progress('idle window measured');
  for (let i = 0; i < updateCount; i++) {
    room.sim.schedule(publishFrom + i * 500, () => {
      const up = room.sim.upNodes();
      const origin = rng.pick(up) as string;
      updates.push({ origin, at: room.sim.now, live: up.length, copies: 0, reached: new Set() });
      room.sim.command(origin, { type: 'broadcast', payload: makePayload(i) });
    });
  }
  const publishEnd = publishFrom + updateCount * 500 + 10_000;
  room.sim.runUntil(publishEnd);
  progress('updates published');

  // Crash a few peers at once; every survivor must judge each of them.
  const victims = rng.sample(room.sim.upNodes(), Math.max(1, Math.min(5, Math.round(n / 200))));
  const crashAt = publishEnd;
  const knewVictim = new Map<string, string[]>();
  room.sim.schedule(crashAt, () => {
    for (const victim of victims) {
      knewVictim.set(
        victim,
        room.sim.upNodes().filter((id) => {
          const status = room.engine(id).member(victim)?.status;
          return id !== victim && (status === 'alive' || status === 'suspect');
        }),
      );
    }
  });
  for (const victim of victims) room.sim.crash(victim, crashAt);
  room.sim.runUntil(crashAt + 30_000);
  const detections: number[] = [];
  const survivors = new Set(room.sim.upNodes());
  for (const victim of victims) {
    const judged = new Map<string, number>();
    for (const verdict of room.verdicts) {
      if (verdict.peer === victim && verdict.reason === 'dead' && verdict.at >= crashAt && !judged.has(verdict.observer)) {
        judged.set(verdict.observer, (verdict.at - crashAt) / 1000);
      }
    }
    for (const observer of knewVictim.get(victim) ?? []) if (survivors.has(observer)) detections.push(judged.get(observer) ?? Infinity);
  }

  let pairs = 0;
  let reached = 0;
  let copies = 0;
  for (const update of updates) {
    pairs += update.live - 1;
    reached += update.reached.size;
    copies += update.copies;
  }
  const sortedHops = hops.slice().sort((a, b) => a - b);
  const need = Math.ceil(0.999 * pairs);
  const p999 = need <= sortedHops.length && need > 0 ? (sortedHops[need - 1] as number) : null;
  const cpu = process.cpuUsage(cpuStart);
  return {
    scenario: roomMembership ? 'room' : 'room-lite',
    protocol: 'gossip',
    n,
    loss,
    rounds_p50: percentile(hops, 50),
    rounds_p99: percentile(hops, 99),
    rounds_p999: p999,
    latency_p50_ms: round(percentile(latencies, 50), 0),
    latency_p99_ms: round(percentile(latencies, 99), 0),
    reach: round(pairs === 0 ? 1 : reached / pairs, 4) as number,
    rmr: round(reached === 0 ? 0 : copies / reached - 1, 3) as number,
    copies_per_peer: round(reached === 0 ? 0 : copies / reached, 3) as number,
    detect_median_s: round(percentile(detections, 50), 2),
    detect_p99_s: round(percentile(detections, 99), 2),
    false_dead: room.falseDead.length,
    msgs_per_peer_per_s: round(idleMsgs / n / (IDLE_MS / 1000), 2),
    bytes_per_peer_per_s: round(idleBytes / n / (IDLE_MS / 1000), 0),
    wall_ms: Math.round(performance.now() - wallStart),
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    updates: updateCount,
  };
}
