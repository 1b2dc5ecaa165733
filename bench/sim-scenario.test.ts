/**
 * The scenario harness at small N: flags, determinism, and metrics that do
 * fail when the room is broken (a split, undelivered updates, a merge that
 * has not happened), so a 0 in the big run means something.
 */
import { describe, expect, it } from 'vitest';
import { createPrng } from '../shared/src/prng.js';
import { Room, peerIds } from '../shared/src/sim/room.js';
import { runScenario, SETTLE_MS } from './sim-scenario.js';
import { parseScenarioArgs, type ScenarioOptions } from './sim-scenario-cli.js';
import { DeliveryTracker } from './sim-scenario-delivery.js';
import { LinkGraphSampler } from './sim-scenario-graph.js';
import { MergeTracker } from './sim-scenario-merge.js';

function options(argv: string[]): ScenarioOptions {
  return parseScenarioArgs(argv).runs[0] as ScenarioOptions;
}

describe('bench:sim --scenario flags', () => {
  it('defaults to the issue figures', () => {
    const churn = options(['--scenario', 'churn']);
    expect(churn).toMatchObject({ n: 1000, loss: 0.1, minutes: 30, leavesPerMin: 10, crashesPerMin: 10, joinsPerMin: 20, outages: 2, outageMinutes: 5, docs: false });
    const partition = options(['--scenario', 'partition']);
    expect(partition).toMatchObject({ n: 200, partitionMinutes: 2, docs: true });
    expect(parseScenarioArgs(['--scenario', 'churn', '--json', '--n', '50,100', '--runs', '2', '--seed', '7']).runs.map((r) => [r.n, r.seed])).toEqual([
      [50, 7],
      [50, 8],
      [100, 7],
      [100, 8],
    ]);
    // A shorter run keeps an outage at a sixth of it.
    expect(options(['--scenario', 'churn', '--minutes', '3']).outageMinutes).toBe(0.5);
  });

  it('--frames is a switch, off by default', () => {
    expect(options(['--scenario', 'churn']).frames).toBe(false);
    expect(options(['--scenario', 'partition', '--frames']).frames).toBe(true);
  });

  it('refuses bad flags, naming them', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--scenario', 'storm'], /--scenario wants one of churn, partition, got storm/],
      [['--scenario'], /--scenario wants one of/],
      [['--scenario', 'churn', '--n', '1'], /--n wants/],
      [['--scenario', 'churn', '--n'], /--n wants .* got nothing/],
      [['--scenario', 'churn', '--loss', '1'], /--loss wants/],
      [['--scenario', 'churn', '--minutes', '-2'], /--minutes wants/],
      [['--scenario', 'churn', '--seed', 'x'], /--seed wants/],
      [['--scenario', 'churn', '--docs', 'yes'], /--docs wants on or off/],
      [['--scenario', 'churn', '--updates', '5'], /--updates does not apply to --scenario/],
      [['--scenario', 'churn', '--frobnicate'], /unknown flag --frobnicate/],
      [['--scenario', 'churn', '--outage-minutes', '20'], /--outages × --outage-minutes/],
      [['--scenario', 'partition', '--minutes', '2'], /--minutes \(2\) must leave the partition/],
    ];
    for (const [argv, message] of bad) expect(() => parseScenarioArgs(argv), argv.join(' ')).toThrow(message);
  });
});

/** A small settled room, then the network cut in two for long enough that every cross link is dropped. */
function splitRoom(seed: number): { room: Room; side: Set<string> } {
  const room = new Room({ seed, network: { loss: 0 }, trackViews: false, checkInvariants: false });
  const ids = peerIds(12);
  ids.forEach((id, i) => room.sim.join(id, i * 100));
  room.sim.runUntil(15_000);
  const side = new Set(ids.slice(0, 6));
  room.sim.partition((id) => (side.has(id) ? 1 : 0));
  return { room, side };
}

describe('scenario metrics see a broken room', () => {
  it('the link graph sampler counts a split and the merge tracker a disagreement', () => {
    const { room } = splitRoom(3);
    const graph = new LinkGraphSampler(room.sim, SETTLE_MS);
    const merges = new MergeTracker(room, 500, 10_000);
    graph.sample(1, { partitioned: false, serverUp: true });
    expect(graph.result().splitS).toBe(0);
    expect(merges.gap(room.sim.upNodes())).toBeUndefined();
    room.sim.runUntil(60_000);
    graph.sample(1, { partitioned: false, serverUp: true });
    graph.sample(1, { partitioned: true, serverUp: true });
    const totals = graph.result();
    expect(totals.splitS).toBe(1); // the forced sample is not counted
    expect(totals.minorMax).toBe(6);
    expect(totals.linksMin).toBeGreaterThan(0);
    expect(merges.gap(room.sim.upNodes())).toMatch(/holds .* as (dead|unknown)/);
  });

  it('an isolated peer is counted past its first 10 s, a tab that never joined during an outage is waiting until 10 s after the server is back', () => {
    const room = new Room({ seed: 5, trackViews: false, checkInvariants: false });
    room.sim.join('a', 0);
    room.sim.runUntil(20_000); // alone: no one to link to
    const graph = new LinkGraphSampler(room.sim, SETTLE_MS);
    graph.sample(2, { partitioned: false, serverUp: false });
    expect(graph.result()).toMatchObject({ isolatedPeerS: 0, waitingPeerS: 2 });
    // The server is back: a tab that never joined gets its first 10 s from now.
    graph.sample(2, { partitioned: false, serverUp: true });
    expect(graph.result()).toMatchObject({ isolatedPeerS: 0, livePeerS: 0 });
    room.sim.runUntil(room.sim.now + SETTLE_MS);
    graph.sample(2, { partitioned: false, serverUp: true });
    expect(graph.result()).toMatchObject({ isolatedPeerS: 2, livePeerS: 2, linksMin: 0 });
  });

  it('delivery counts pairs across a cut as lost unless the scenario excuses them', () => {
    const run = (excuse: boolean): { pairs: number; delivered: number } => {
      const { room, side } = splitRoom(4);
      const together = (a: string, b: string): boolean => !excuse || side.has(a) === side.has(b);
      const delivery = new DeliveryTracker(room.sim, createPrng(9), 5000, () => true, together);
      delivery.schedule(room.sim.now + 20_000, 500, 10);
      room.sim.runUntil(room.sim.now + 40_000);
      return delivery.result();
    };
    const strict = run(false);
    expect(strict.pairs).toBe(10 * 11);
    expect(strict.delivered / strict.pairs).toBeLessThan(0.6);
    const excused = run(true);
    expect(excused.pairs).toBe(10 * 5);
    expect(excused.delivered).toBe(excused.pairs);
  });
});

describe('scenario runs at small N', () => {
  it('churn is deterministic and reports every contract field', () => {
    const churn = options(['--scenario', 'churn', '--n', '30', '--minutes', '2', '--seed', '11']);
    const a = runScenario(churn);
    const b = runScenario(churn);
    const strip = (row: object): object => ({ ...row, wall_ms: 0, cpu_ms: 0, warmup_wall_ms: 0, wall_per_vmin_ms: 0 });
    expect(strip(a)).toEqual(strip(b));
    for (const field of ['scenario', 'n', 'virtual_s', 'wall_ms', 'split_s', 'isolated_peer_s', 'delivered', 'merge_s_p50', 'merge_s_p99', 'false_dead', 'members_max', 'tombstones_max']) {
      expect(a, field).toHaveProperty(field);
    }
    expect(a).toMatchObject({ scenario: 'churn', n: 30, virtual_s: 22 + 120, measured_s: 120, merges: 2, servers_modeled: true });
    expect(a.joins + a.leaves + a.crashes).toBeGreaterThan(40);
    expect(a.pairs).toBeGreaterThan(500);
    expect(a.members_max).toBeGreaterThanOrEqual(30);
    expect(a).toMatchObject({ traffic: null, server_up_s: null, server_down_s: null });
  }, 60_000);

  it('--frames counts the measured window by frame type and server phase, and changes nothing else', () => {
    const argv = ['--scenario', 'churn', '--n', '20', '--minutes', '1', '--outages', '1', '--outage-minutes', '0.25', '--seed', '3'];
    const plain = runScenario(options(argv));
    const counted = runScenario(options([...argv, '--frames']));
    const strip = (row: object): object => ({ ...row, wall_ms: 0, cpu_ms: 0, warmup_wall_ms: 0, wall_per_vmin_ms: 0, sim_events: 0, traffic: null, server_up_s: null, server_down_s: null });
    expect(strip(counted)).toEqual(strip(plain));
    expect(counted.sim_events - plain.sim_events).toBe(60); // its once-a-second phase sample
    expect(counted.server_up_s).toBe(45);
    expect(counted.server_down_s).toBe(15);
    const traffic = counted.traffic ?? [];
    const frames = (server: string, frame: string): number => traffic.find((row) => row.server === server && row.frame === frame)?.frames ?? 0;
    // Probes run whatever the server does; data broadcasts are named by body kind.
    expect(frames('up', 'PING')).toBeGreaterThan(0);
    expect(frames('down', 'PING')).toBeGreaterThan(0);
    expect(traffic.some((row) => row.frame === 'GOSSIP/DATA')).toBe(true);
    // Counted from the end of the warm-up: fewer than every frame of the run.
    expect(traffic.reduce((sum, row) => sum + row.frames, 0)).toBeLessThan(counted.messages_sent);
    expect(traffic.every((row) => row.bytes >= row.frames)).toBe(true);
  }, 60_000);

  it('partition heals: one merge window, docs edited on both sides end equal', () => {
    const row = runScenario(options(['--scenario', 'partition', '--n', '16', '--minutes', '2', '--partition-minutes', '1', '--seed', '2']));
    expect(row).toMatchObject({ scenario: 'partition', merges: 1, docs_equal: true, doc_edits: 50, doc_keys: 50 });
    expect(row.partition_dead).toBeGreaterThan(0); // each side lost the other while cut
    expect(row.merge_s_p99).not.toBeNull();
  }, 60_000);
});
