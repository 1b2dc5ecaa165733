/**
 * The live peers' link graph, sampled every few virtual seconds: is it in
 * one piece (split_s), who has no link at all (isolated_peer_s), how many
 * links a settled peer holds. Reads only the simulator's physical links and
 * node states, never an engine snapshot: a sample of 1,000 peers costs a
 * union-find over ~4,000 edges.
 *
 * Who is counted. A tab in its first `settleMs` may not have linked yet, and
 * a tab that opened while no signaling server was up cannot have joined
 * (nothing to bootstrap from; the scenario reports it as waiting): neither
 * is a split or an isolated peer unless it has a link. For a tab that has
 * never linked, its first 10 s start when it opened or when a server came
 * back, whichever is later. Links to a crashed
 * peer stay open in the simulator until the engine closes them (as a killed
 * tab's would in a browser, until ICE gives up), and carry nothing: they do
 * not count.
 */
import type { PeerId } from '../shared/src/engine/types.js';
import type { Simulator } from '../shared/src/sim/simulator.js';

export interface GraphTotals {
  samples: number;
  /** Virtual seconds with more than one component among counted peers (outside forced partitions). */
  splitS: number;
  /** Largest number of counted peers outside the biggest component, over the samples. */
  minorMax: number;
  /** Peer-seconds a counted peer spent with no live link. */
  isolatedPeerS: number;
  /** Peer-seconds of live peers past their first settleMs: the denominator of the isolated fraction. */
  livePeerS: number;
  /** Peer-seconds live tabs spent never having linked while no server was up (could not join). */
  waitingPeerS: number;
  /** Fewest and mean live links of a settled peer, over the samples. */
  linksMin: number;
  linksMean: number;
  /** Most live peers in one sample. */
  liveMax: number;
}

export interface GraphSampleContext {
  /** True while a forced partition holds: splits are what it is for and are not counted. */
  partitioned: boolean;
  /** True while at least one signaling server is up. */
  serverUp: boolean;
}

export class LinkGraphSampler {
  private readonly sim: Simulator;
  private readonly settleMs: number;
  /** Peers that have held a link at some sample (they have joined the room). */
  readonly bootstrapped = new Set<PeerId>();
  private readonly totals: GraphTotals = { samples: 0, splitS: 0, minorMax: 0, isolatedPeerS: 0, livePeerS: 0, waitingPeerS: 0, linksMin: Infinity, linksMean: 0, liveMax: 0 };
  private linkSum = 0;
  private linkCount = 0;
  private readonly index = new Map<PeerId, number>();
  private parent = new Int32Array(0);
  private serverWasUp = true;
  private serverUpSince = 0;

  constructor(sim: Simulator, settleMs: number) {
    this.sim = sim;
    this.settleMs = settleMs;
  }

  /** One sample standing for the `periodS` seconds that end now. */
  sample(periodS: number, context: GraphSampleContext): void {
    const sim = this.sim;
    const up = sim.upNodes();
    const t = this.totals;
    t.samples += 1;
    if (context.serverUp && !this.serverWasUp) this.serverUpSince = sim.now;
    this.serverWasUp = context.serverUp;
    t.liveMax = Math.max(t.liveMax, up.length);
    const index = this.index;
    index.clear();
    for (let i = 0; i < up.length; i++) index.set(up[i] as PeerId, i);
    if (this.parent.length < up.length) this.parent = new Int32Array(up.length * 2);
    const parent = this.parent;
    for (let i = 0; i < up.length; i++) parent[i] = i;
    const counted = new Uint8Array(up.length);
    let countedPeers = 0;
    for (let i = 0; i < up.length; i++) {
      const id = up[i] as PeerId;
      let live = 0;
      for (const peer of sim.linksOf(id)) {
        const j = index.get(peer);
        if (j === undefined) continue;
        live += 1;
        if (j > i) union(parent, i, j);
      }
      if (live > 0) this.bootstrapped.add(id);
      const node = sim.nodes.get(id);
      const joined = this.bootstrapped.has(id);
      const since = node === undefined ? sim.now : joined ? node.joinedAt : Math.max(node.joinedAt, this.serverUpSince);
      const settled = sim.now - since >= this.settleMs;
      if (!joined && !context.serverUp) {
        if (settled) t.waitingPeerS += periodS;
        continue;
      }
      if (!settled && live === 0) continue;
      counted[i] = 1;
      countedPeers += 1;
      if (!settled) continue;
      t.livePeerS += periodS;
      if (live === 0) t.isolatedPeerS += periodS;
      this.linkSum += live;
      this.linkCount += 1;
      t.linksMin = Math.min(t.linksMin, live);
    }
    if (context.partitioned || countedPeers === 0) return;
    const sizes = new Map<number, number>();
    for (let i = 0; i < up.length; i++) {
      if (counted[i] === 0) continue;
      const root = find(parent, i);
      sizes.set(root, (sizes.get(root) ?? 0) + 1);
    }
    if (sizes.size > 1) {
      t.splitS += periodS;
      t.minorMax = Math.max(t.minorMax, countedPeers - Math.max(...sizes.values()));
    }
  }

  result(): GraphTotals {
    return { ...this.totals, linksMin: this.linkCount === 0 ? 0 : this.totals.linksMin, linksMean: this.linkCount === 0 ? 0 : this.linkSum / this.linkCount };
  }
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root] as number;
  while (parent[i] !== root) {
    const next = parent[i] as number;
    parent[i] = root;
    i = next;
  }
  return root;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
}
