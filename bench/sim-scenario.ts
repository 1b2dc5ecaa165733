/**
 * The scenario runs of `npm run bench:sim -- --scenario churn|partition`.
 *
 * Both start alike: N tabs open over max(2 s, 10 ms × N) (at most 30 s) and
 * the room settles for 20 s (the warm-up, not measured). Then:
 *
 * - churn: for `minutes`, tabs open, close (goodbye) and are killed
 *   (silent) as Poisson processes at the given rates per minute (equal open
 *   and departure rates keep the room near N), and the signaling server is
 *   stopped `outages` times for `outageMinutes`, spread evenly;
 * - partition: 30 s in, the server stops and the room is cut into two
 *   random halves; `partitionMinutes` later both end. Every tab carries a
 *   Yjs doc; a few tabs edit before, and a few on each side during the cut.
 *
 * Throughout, app broadcasts go out from random live peers in the room
 * (delivered), the link graph is sampled every `sampleS` (split_s,
 * isolated_peer_s, links), member tables every 10 s at every live peer
 * (members_max, tombstones_max), and each outage or heal
 * opens a merge window (merge_s_*). Randomness comes from seeded streams:
 * a run is a pure function of its options.
 */
import type { PeerId } from '../shared/src/engine/types.js';
import { createPrng, type Prng } from '../shared/src/prng.js';
import { Room, peerIds } from '../shared/src/sim/room.js';
import type { ScenarioOptions } from './sim-scenario-cli.js';
import { DeliveryTracker } from './sim-scenario-delivery.js';
import { ScenarioDocs } from './sim-scenario-docs.js';
import { LinkGraphSampler } from './sim-scenario-graph.js';
import { MergeTracker } from './sim-scenario-merge.js';
import type { ScenarioRow } from './sim-scenario-row.js';
import { TrafficTally } from './sim-scenario-traffic.js';
import { ScenarioSignaling } from './sim-scenario-signaling.js';
import { percentile, round } from './stats.js';

/** A tab in its first 10 s is still joining: not isolated, not a split (the definition). */
export const SETTLE_MS = 10_000;
/** A merge window gives up after this long (and counts as unmerged). */
const MERGE_LIMIT_MS = 120_000;
const MERGE_STEP_MS = 500;
/** Member tables are read this often at every live peer (engine.sizes() is a few counters). */
const TABLE_SAMPLE_MS = 10_000;

export interface ScenarioProgress {
  (message: string): void;
}

/** Poisson arrival times in [from, to) at `perMin` a minute. */
function arrivals(rng: Prng, perMin: number, from: number, to: number): number[] {
  const out: number[] = [];
  if (perMin <= 0) return out;
  const meanMs = 60_000 / perMin;
  for (let t = from - meanMs * Math.log(1 - rng.next()); t < to; t -= meanMs * Math.log(1 - rng.next())) out.push(t);
  return out;
}

export function runScenario(options: ScenarioOptions, progress: ScenarioProgress = () => {}): ScenarioRow {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const { n, seed } = options;
  const engine = options.maxLinks === undefined ? {} : { overlay: { maxLinks: options.maxLinks } };
  const room = new Room({ seed, network: { loss: options.loss }, trackViews: false, checkInvariants: false, engine });
  const sim = room.sim;
  const signaling = new ScenarioSignaling(sim);
  // One stream per concern, so changing one rate does not reshuffle the others.
  const churnRng = createPrng((seed ^ 0x2c1b3c6d) >>> 0);
  const victimRng = createPrng((seed ^ 0x297a2d39) >>> 0);
  const updateRng = createPrng((seed ^ 0x5bd1e995) >>> 0);
  const cutRng = createPrng((seed ^ 0x68e31da4) >>> 0);

  const joinMs = Math.min(30_000, Math.max(2000, n * 10));
  peerIds(n).forEach((id, i) => sim.join(id, (i * joinMs) / n));
  const t0 = joinMs + 20_000;
  const end = t0 + options.minutes * 60_000;

  const graph = new LinkGraphSampler(sim, SETTLE_MS);
  const inRoom = (id: PeerId): boolean => graph.bootstrapped.has(id) || sim.linksOf(id).size > 0;
  // Forced partitions: [from, to) in virtual ms, and the side each peer was put on.
  const cuts: Array<[number, number]> = [];
  let side = new Set<PeerId>();
  const together = (a: PeerId, b: PeerId, from: number, to: number): boolean =>
    side.has(a) === side.has(b) || !cuts.some(([cutFrom, cutTo]) => from < cutTo && to >= cutFrom);
  const delivery = new DeliveryTracker(sim, updateRng, options.graceS * 1000, inRoom, together);
  const merges = new MergeTracker(room, MERGE_STEP_MS, MERGE_LIMIT_MS);
  const docs = options.docs ? new ScenarioDocs(room, seed) : undefined;

  let outages = 0;
  const counts = { joins: 0, leaves: 0, crashes: 0 };

  if (options.scenario === 'churn') {
    const windowMs = end - t0;
    const outageMs = options.outageMinutes * 60_000;
    for (let i = 0; i < options.outages && outageMs > 0; i++) {
      const from = t0 + ((i + 1) * windowMs) / (options.outages + 1) - outageMs / 2;
      signaling.stop(from);
      signaling.start(from + outageMs);
      merges.open(`outage ${i + 1}`, from + outageMs);
      outages += 1;
    }
  } else {
    const from = t0 + 30_000;
    const to = from + options.partitionMinutes * 60_000;
    cuts.push([from, to]);
    sim.schedule(from, () => {
      const half = new Set(cutRng.sample(sim.upNodes(), Math.floor(sim.upNodes().length / 2)));
      side = half;
      sim.partition((id) => (half.has(id) ? 1 : 0));
      if (docs) {
        // A few edits on each side while they are apart.
        const sides = [sim.upNodes().filter((id) => half.has(id)), sim.upNodes().filter((id) => !half.has(id))];
        const span = to - from - 10_000;
        for (let e = 0; e < 20; e++) {
          for (const side of sides) {
            const editor = cutRng.pick(side);
            if (editor !== undefined) sim.schedule(from + 5000 + (e * span) / 20, () => docs.edit(editor));
          }
        }
      }
    });
    signaling.stop(from);
    sim.heal(to);
    signaling.start(to);
    merges.open('partition', to);
    outages += 1;
  }

  // Churn: opens take fresh ids; closes and kills pick a random live peer at the time.
  let joined = 0;
  for (const at of arrivals(churnRng, options.joinsPerMin, t0, end)) {
    sim.join(`j${String(joined++).padStart(5, '0')}`, at);
    counts.joins += 1;
  }
  for (const [kind, perMin] of [['leave', options.leavesPerMin], ['crash', options.crashesPerMin]] as const) {
    for (const at of arrivals(churnRng, perMin, t0, end)) {
      sim.schedule(at, () => {
        const victim = victimRng.pick(sim.upNodes());
        if (victim === undefined) return;
        if (kind === 'leave') {
          sim.leave(victim);
          counts.leaves += 1;
        } else {
          sim.crash(victim);
          counts.crashes += 1;
        }
      });
    }
  }

  // App broadcasts, ending one grace before the end so every pair is judged.
  const everyMs = options.updatesPerS > 0 ? 1000 / options.updatesPerS : Infinity;
  const sendCount = Number.isFinite(everyMs) ? Math.max(0, Math.floor((end - options.graceS * 1000 - t0) / everyMs)) : 0;
  delivery.schedule(t0 + Math.min(everyMs, 1000), everyMs, sendCount);

  const partitioned = (): boolean => cuts.some(([from, to]) => sim.now >= from && sim.now < to);
  const sampleMs = options.sampleS * 1000;
  for (let t = t0 + sampleMs; t <= end; t += sampleMs) {
    sim.schedule(t, () => graph.sample(options.sampleS, { partitioned: partitioned(), serverUp: signaling.up() }));
  }

  const tables = { members: 0, tombstones: 0, routes: 0, seen: 0 };
  const readTables = (ids: readonly PeerId[]): void => {
    for (const id of ids) {
      const sizes = room.engine(id).sizes();
      tables.members = Math.max(tables.members, sizes.members);
      tables.tombstones = Math.max(tables.tombstones, sizes.tombstones);
      tables.routes = Math.max(tables.routes, sizes.routes);
      tables.seen = Math.max(tables.seen, sizes.seen);
    }
  };
  for (let t = t0; t <= end; t += TABLE_SAMPLE_MS) sim.schedule(t, () => readTables(sim.upNodes()));

  let docsEqualAfterMs: number | undefined;
  if (docs) {
    sim.schedule(t0, () => {
      docs.attachAll();
      const editors = cutRng.sample(sim.upNodes(), 10);
      editors.forEach((id, i) => sim.schedule(t0 + 2000 + i * 500, () => docs.edit(id)));
    });
    const heal = cuts[0]?.[1] ?? t0;
    const check = (): void => {
      if (docs.distinctStates() <= 1 && docs.contentsEqual()) {
        docsEqualAfterMs = sim.now - heal;
        return;
      }
      if (sim.now + 1000 <= end) sim.schedule(sim.now + 1000, check);
    };
    sim.schedule(heal, check);
  }

  // Run, a virtual minute at a time, telling how far it got.
  sim.runUntil(t0);
  const traffic = options.frames ? new TrafficTally(() => signaling.up()) : undefined;
  let serverUpS = 0;
  let serverDownS = 0;
  if (traffic) {
    sim.observers.push(traffic.observer());
    const phase = (): void => {
      if (signaling.up()) serverUpS += 1;
      else serverDownS += 1;
      if (sim.now + 1000 < end) sim.schedule(sim.now + 1000, phase);
    };
    sim.schedule(t0, phase);
  }
  const warmupWallMs = Math.round(performance.now() - wallStart);
  progress(`warm-up done (${sim.upNodes().length} live) at ${Math.round(performance.now() - wallStart)} ms wall`);
  for (let t = t0 + 60_000; t < end + 60_000; t += 60_000) {
    sim.runUntil(Math.min(t, end));
    const minute = Math.round((Math.min(t, end) - t0) / 60_000);
    progress(`minute ${minute}/${options.minutes}: ${sim.upNodes().length} live, server ${signaling.up() ? 'up' : 'down'}, ${Math.round(performance.now() - wallStart)} ms wall`);
  }
  readTables(sim.upNodes());

  const live = sim.upNodes();
  const old = live.filter((id) => sim.now - (sim.nodes.get(id)?.joinedAt ?? 0) >= 30_000);
  const disagreeing = live.filter((id) => merges.lacks(id, old) !== undefined).length;

  const g = graph.result();
  const d = delivery.result();
  const mergeTimes = merges.windows.map((w) => (w.mergedAfterMs === undefined ? Infinity : w.mergedAfterMs / 1000));
  const merged = mergeTimes.filter(Number.isFinite);
  const inCut = (at: number): boolean => cuts.some(([from, to]) => at >= from && at < to);
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = Math.round(performance.now() - wallStart);
  const measuredS = (end - t0) / 1000;
  const pct = (p: number): number | null => (mergeTimes.length === 0 ? null : round(percentile(mergeTimes, p), 2));
  return {
    scenario: options.scenario,
    n,
    seed,
    loss: options.loss,
    virtual_s: end / 1000,
    wall_ms: wallMs,
    split_s: round(g.splitS, 1) as number,
    isolated_peer_s: round(g.isolatedPeerS, 1) as number,
    delivered: d.pairs === 0 ? 1 : (round(d.delivered / d.pairs, 6) as number),
    merge_s_p50: merged.length === 0 ? null : pct(50),
    merge_s_p99: merged.length === 0 ? null : pct(99),
    false_dead: room.falseDead.filter((v) => !inCut(v.at)).length,
    members_max: tables.members,
    tombstones_max: tables.tombstones,
    routes_max: tables.routes,
    seen_max: tables.seen,
    measured_s: measuredS,
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    warmup_wall_ms: warmupWallMs,
    wall_per_vmin_ms: Math.round((wallMs - warmupWallMs) / options.minutes),
    isolated_fraction: g.livePeerS === 0 ? 0 : (round(g.isolatedPeerS / g.livePeerS, 6) as number),
    live_peer_s: Math.round(g.livePeerS),
    waiting_peer_s: round(g.waitingPeerS, 1) as number,
    split_minor_max: g.minorMax,
    links_min: g.linksMin,
    links_mean: round(g.linksMean, 2) as number,
    updates: d.updates,
    pairs: d.pairs,
    delivery_p50_ms: round(percentile(d.latenciesMs, 50), 0),
    delivery_p99_ms: round(percentile(d.latenciesMs, 99), 0),
    merges: merges.windows.length,
    unmerged: mergeTimes.length - merged.length,
    merge_s: mergeTimes.map((s) => (Number.isFinite(s) ? s : null)),
    partition_dead: room.falseDead.filter((v) => inCut(v.at)).length,
    disagreeing_end: disagreeing,
    ...counts,
    live_end: live.length,
    outages,
    servers_modeled: signaling.modeled,
    sim_events: sim.counters.events,
    messages_sent: sim.counters.sent,
    docs_equal: docs ? docs.contentsEqual() && docs.distinctStates() <= 1 : null,
    docs_equal_s: docsEqualAfterMs === undefined ? null : docsEqualAfterMs / 1000,
    doc_keys: docs ? docs.keys() : null,
    doc_edits: docs ? docs.edits : null,
    traffic: traffic ? traffic.rows() : null,
    server_up_s: traffic ? serverUpS : null,
    server_down_s: traffic ? serverDownS : null,
  };
}
