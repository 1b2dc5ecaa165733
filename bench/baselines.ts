/**
 * The two baselines, on the same virtual network (latency model and loss)
 * and the same publish schedule as the gossip run:
 *
 * - flood: y-webrtc's way. Each peer opens ~10 links to random peers
 *   (~20 links a peer in all, y-webrtc's maxConns is 20–34) and relays every
 *   update on every link but the one it came on, once.
 * - push: memberlist's broadcast queue. Every 200 ms (GossipInterval) a peer
 *   sends each queued update to 3 random members (GossipNodes); an update
 *   leaves the queue after 4·ceil(log10(N+1)) sends (RetransmitMult 4).
 *
 * Neither has failure detection or membership traffic here, so those columns
 * are null: the baselines are for dissemination only.
 */
import { retransmitLimit } from '../shared/src/gossip/maths.js';
import { createPrng, type Prng } from '../shared/src/prng.js';
import { EventQueue } from '../shared/src/sim/event-queue.js';
import { DEFAULT_NETWORK, sampleLatency, type NetworkModel } from '../shared/src/sim/simulator.js';
import type { BenchRow } from './result.js';
import type { RunOptions } from './run-options.js';
import { percentile, round } from './stats.js';

const FLOOD_LINKS_OPENED = 10;
const PUSH_INTERVAL_MS = 200;
const PUSH_FANOUT = 3;
const PUSH_RETRANSMIT_MULT = 4;

type Event = { kind: 'receive'; node: number; from: number; update: number; hops: number } | { kind: 'tick'; node: number } | { kind: 'publish'; update: number };

interface Tally {
  hops: number[];
  latencies: number[];
  copies: number;
  reached: number;
  pairs: number;
}

function finish(protocol: 'flood' | 'push', options: RunOptions, tally: Tally, wallStart: number, cpuStart: NodeJS.CpuUsage): BenchRow {
  const sorted = tally.hops.slice().sort((a, b) => a - b);
  const need = Math.ceil(0.999 * tally.pairs);
  const cpu = process.cpuUsage(cpuStart);
  return {
    scenario: 'room',
    protocol,
    n: options.n,
    loss: options.loss,
    rounds_p50: percentile(tally.hops, 50),
    rounds_p99: percentile(tally.hops, 99),
    rounds_p999: need <= sorted.length && need > 0 ? (sorted[need - 1] as number) : null,
    latency_p50_ms: round(percentile(tally.latencies, 50), 0),
    latency_p99_ms: round(percentile(tally.latencies, 99), 0),
    reach: round(tally.pairs === 0 ? 1 : tally.reached / tally.pairs, 4) as number,
    rmr: round(tally.reached === 0 ? 0 : tally.copies / tally.reached - 1, 3) as number,
    copies_per_peer: round(tally.reached === 0 ? 0 : tally.copies / tally.reached, 3) as number,
    detect_median_s: null,
    detect_p99_s: null,
    false_dead: null,
    msgs_per_peer_per_s: null,
    bytes_per_peer_per_s: null,
    wall_ms: Math.round(performance.now() - wallStart),
    cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
    updates: options.updates,
  };
}

function randomGraph(n: number, opened: number, rng: Prng): number[][] {
  const links = Array.from({ length: n }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    const others = Array.from({ length: n - 1 }, (_, k) => (k < i ? k : k + 1));
    for (const j of rng.sample(others, opened)) {
      (links[i] as Set<number>).add(j);
      (links[j] as Set<number>).add(i);
    }
  }
  return links.map((set) => [...set]);
}

/** Up to `k` distinct random peers other than `self` (rejection sampling: O(k), not O(n)). */
function pickOthers(rng: Prng, n: number, self: number, k: number): number[] {
  const want = Math.min(k, n - 1);
  const picked: number[] = [];
  while (picked.length < want) {
    const peer = rng.int(n);
    if (peer !== self && !picked.includes(peer)) picked.push(peer);
  }
  return picked;
}

export function runBaseline(protocol: 'flood' | 'push', options: RunOptions, network: Partial<NetworkModel>): BenchRow {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  const model: NetworkModel = { ...DEFAULT_NETWORK, ...network, loss: options.loss };
  const rng = createPrng(options.seed ^ (protocol === 'flood' ? 0x1f1f : 0x2e2e));
  const { n } = options;
  const queue = new EventQueue<Event>();
  const seen = Array.from({ length: options.updates }, () => new Uint8Array(n));
  const publishedAt: number[] = [];
  const tally: Tally = { hops: [], latencies: [], copies: 0, reached: 0, pairs: 0 };
  const graph = protocol === 'flood' ? randomGraph(n, Math.min(n - 1, FLOOD_LINKS_OPENED), rng) : [];
  const limit = retransmitLimit(PUSH_RETRANSMIT_MULT, n);
  const pushQueues = Array.from({ length: n }, () => [] as Array<{ update: number; hops: number; sent: number }>);
  let now = 0;

  const send = (from: number, to: number, update: number, hops: number): void => {
    tally.copies += 1;
    if (rng.next() < model.loss) return;
    queue.push(now + sampleLatency(rng, model), { kind: 'receive', node: to, from, update, hops });
  };
  const accept = (node: number, from: number, update: number, hops: number): void => {
    const marks = seen[update] as Uint8Array;
    if (marks[node]) return;
    marks[node] = 1;
    if (from >= 0) {
      tally.reached += 1;
      tally.hops.push(hops);
      tally.latencies.push(now - (publishedAt[update] as number));
    }
    if (protocol === 'flood') {
      for (const peer of graph[node] as number[]) if (peer !== from) send(node, peer, update, hops + 1);
    } else {
      (pushQueues[node] as Array<{ update: number; hops: number; sent: number }>).push({ update, hops, sent: 0 });
    }
  };

  for (let i = 0; i < options.updates; i++) queue.push(i * 500, { kind: 'publish', update: i });
  const end = options.updates * 500 + 10_000;
  if (protocol === 'push') for (let node = 0; node < n; node++) queue.push(rng.next() * PUSH_INTERVAL_MS, { kind: 'tick', node });

  while (queue.peekTime() <= end) {
    const entry = queue.pop();
    if (!entry) break;
    now = entry.at;
    const event = entry.item;
    if (event.kind === 'publish') {
      publishedAt[event.update] = now;
      tally.pairs += n - 1;
      accept(rng.int(n), -1, event.update, 0);
    } else if (event.kind === 'receive') {
      accept(event.node, event.from, event.update, event.hops);
    } else {
      queue.push(now + PUSH_INTERVAL_MS, { kind: 'tick', node: event.node });
      const pending = pushQueues[event.node] as Array<{ update: number; hops: number; sent: number }>;
      if (pending.length === 0) continue;
      const others = pickOthers(rng, n, event.node, PUSH_FANOUT);
      for (const target of others) {
        for (const item of pending) {
          if (item.sent >= limit) continue;
          item.sent += 1;
          send(event.node, target, item.update, item.hops + 1);
        }
      }
      pushQueues[event.node] = pending.filter((item) => item.sent < limit);
    }
  }
  return finish(protocol, options, tally, wallStart, cpuStart);
}
