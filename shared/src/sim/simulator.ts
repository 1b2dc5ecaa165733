/**
 * The deterministic simulator: one more driver of the sans-IO engine.
 *
 * A virtual clock (a priority queue of events) runs any number of engines;
 * the network has a seeded latency distribution, independent loss,
 * partitions and healing; nodes join, leave, and crash (a crashed node goes
 * silent, its links stay open: the hardest case for failure detection).
 * Everything random comes from one Prng seeded by the run's seed, so a run
 * replays exactly. Invariants are checked after every step; a violation
 * throws a SimError carrying the seed.
 */
import type { Engine, EngineInput, EngineOutput, PeerId } from '../engine/types.js';
import { fnv1a } from '../gossip/maths.js';
import { createPrng, type Prng } from '../prng.js';
import { EventQueue } from './event-queue.js';

export interface NetworkModel {
  /** Median one-way latency, ms. */
  latencyMs: number;
  /** Latency spread: each message takes latencyMs × (1 − jitter … 1 + jitter), plus a rare tail. */
  jitter: number;
  /** Probability a message is lost. */
  loss: number;
  /** Time to negotiate a WebRTC link (offer, answer, ICE), in one-way latencies. */
  connectLatencies: number;
  /** A link request to an unreachable or crashed peer fails after this long, ms. */
  connectFailMs: number;
}

export const DEFAULT_NETWORK: NetworkModel = { latencyMs: 50, jitter: 0.2, loss: 0, connectLatencies: 4, connectFailMs: 5000 };

export type NodeState = 'up' | 'crashed' | 'left';

export interface SimNode {
  readonly id: PeerId;
  readonly engine: Engine;
  state: NodeState;
  /** Armed timers: when each is due, and the token of the queue entry that will fire it. */
  readonly timers: Map<string, { at: number; token: number; queuedAt: number }>;
  joinedAt: number;
}

/** Observes traffic and app events (benchmarks and tests hook in here). */
export interface SimObserver {
  onSend?(from: PeerId, to: PeerId, bytes: Uint8Array, now: number, delivered: boolean): void;
  onReceive?(at: PeerId, from: PeerId, bytes: Uint8Array, now: number): void;
  onEvent?(at: PeerId, output: EngineOutput, now: number): void;
}

export class SimError extends Error {
  readonly seed: number;

  constructor(seed: number, message: string) {
    super(`${message} (replay with SEED=${seed})`);
    this.name = 'SimError';
    this.seed = seed;
  }
}

type SimEvent =
  | { kind: 'input'; node: PeerId; input: EngineInput }
  | { kind: 'timer'; node: PeerId; timer: string; token: number }
  | { kind: 'connect'; from: PeerId; to: PeerId }
  | { kind: 'call'; fn: () => void };

export interface SimulatorOptions {
  seed: number;
  network?: Partial<NetworkModel>;
  /** Builds a node's engine; `rng` is that node's own seeded stream. */
  createEngine: (id: PeerId, rng: Prng) => Engine;
  /** Bootstrap sample size the signaling server hands a joiner. */
  discoverySample?: number;
  /** Checked after every event that touched a node; return a message to fail the run. */
  invariant?: (node: SimNode, sim: Simulator) => string | undefined;
}

export class Simulator {
  readonly seed: number;
  readonly network: NetworkModel;
  readonly nodes = new Map<PeerId, SimNode>();
  readonly observers: SimObserver[] = [];
  now = 0;
  /** Physical links (both directions). */
  private readonly links = new Map<PeerId, Set<PeerId>>();
  private readonly connecting = new Set<string>();
  /** Latest scheduled delivery per directed link: a close never overtakes data sent before it. */
  private readonly lastDelivery = new Map<PeerId, Map<PeerId, number>>();
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: Prng;
  private readonly options: SimulatorOptions;
  private groups: Map<PeerId, number> | undefined;
  private timerToken = 0;
  private upIds: PeerId[] = [];
  private upDirty = true;
  readonly counters = { sent: 0, lost: 0, delivered: 0, events: 0, maxLinks: 0 };

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.seed = options.seed;
    this.network = { ...DEFAULT_NETWORK, ...options.network };
    this.rng = createPrng(options.seed);
  }

  // ---- scenario control -------------------------------------------------------

  /** Adds a node that joins at `at` (bootstraps from a sample of the nodes up then). */
  join(id: PeerId, at = this.now): void {
    this.schedule(at, () => this.startNode(id));
  }

  private startNode(id: PeerId): void {
    if (this.nodes.has(id)) throw new SimError(this.seed, `node ${id} joined twice`);
    const engine = this.options.createEngine(id, createPrng((this.seed ^ fnv1a(id)) >>> 0));
    const sample = this.rng.sample(this.upNodes(), this.options.discoverySample ?? 20);
    const node: SimNode = { id, engine, state: 'up', timers: new Map(), joinedAt: this.now };
    this.nodes.set(id, node);
    this.links.set(id, new Set());
    this.upDirty = true;
    this.feed(node, { type: 'start' });
    if (sample.length > 0) this.feed(node, { type: 'discovered', peers: sample });
  }

  crash(id: PeerId, at = this.now): void {
    this.schedule(at, () => {
      const node = this.nodes.get(id);
      if (node?.state === 'up') {
        node.state = 'crashed';
        this.upDirty = true;
      }
    });
  }

  leave(id: PeerId, at = this.now): void {
    this.schedule(at, () => {
      const node = this.nodes.get(id);
      if (node?.state !== 'up') return;
      this.feed(node, { type: 'leave' });
      node.state = 'left';
      this.upDirty = true;
    });
  }

  /** Feeds an app command to a node at `at`. */
  command(id: PeerId, input: EngineInput, at = this.now): void {
    this.schedule(at, () => {
      const node = this.nodes.get(id);
      if (node?.state === 'up') this.feed(node, input);
    });
  }

  /** Splits the network: nodes in different groups cannot exchange anything. */
  partition(groupOf: (id: PeerId) => number, at = this.now): void {
    this.schedule(at, () => {
      this.groups = new Map();
      for (const id of this.nodes.keys()) this.groups.set(id, groupOf(id));
    });
  }

  heal(at = this.now): void {
    this.schedule(at, () => {
      this.groups = undefined;
    });
  }

  schedule(at: number, fn: () => void): void {
    this.queue.push(Math.max(at, this.now), { kind: 'call', fn });
  }

  /** Runs events until virtual time `until` (inclusive). */
  runUntil(until: number): void {
    while (this.queue.peekTime() <= until) {
      const entry = this.queue.pop();
      if (!entry) break;
      this.now = entry.at;
      this.step(entry.item);
    }
    this.now = Math.max(this.now, until);
  }

  upNodes(): PeerId[] {
    if (this.upDirty) {
      this.upIds = [];
      for (const node of this.nodes.values()) if (node.state === 'up') this.upIds.push(node.id);
      this.upDirty = false;
    }
    return this.upIds;
  }

  linksOf(id: PeerId): ReadonlySet<PeerId> {
    return this.links.get(id) ?? new Set();
  }

  // ---- the driver ------------------------------------------------------------------

  private step(event: SimEvent): void {
    this.counters.events += 1;
    switch (event.kind) {
      case 'call':
        event.fn();
        return;
      case 'input': {
        const node = this.nodes.get(event.node);
        if (node?.state === 'up') this.feed(node, event.input);
        return;
      }
      case 'timer': {
        const node = this.nodes.get(event.node);
        const timer = node?.timers.get(event.timer);
        if (node?.state !== 'up' || timer?.token !== event.token) return;
        if (timer.at > this.now) {
          // Pushed back since it was queued: queue it again for its new time.
          timer.queuedAt = timer.at;
          this.queue.push(timer.at, event);
          return;
        }
        node.timers.delete(event.timer);
        this.feed(node, { type: 'timer', timer: event.timer });
        return;
      }
      case 'connect':
        this.completeConnect(event.from, event.to);
        return;
    }
  }

  private reachable(a: PeerId, b: PeerId): boolean {
    return this.groups === undefined || this.groups.get(a) === this.groups.get(b);
  }

  private latency(): number {
    return sampleLatency(this.rng, this.network);
  }

  feed(node: SimNode, input: EngineInput): void {
    if (input.type === 'receive') for (const observer of this.observers) observer.onReceive?.(node.id, input.from, input.bytes, this.now);
    const outputs = node.engine.handle(input, this.now);
    for (const output of outputs) this.apply(node, output);
    if (this.options.invariant) {
      const problem = this.options.invariant(node, this);
      if (problem !== undefined) throw new SimError(this.seed, `t=${this.now} ${node.id}: ${problem}`);
    }
  }

  private apply(node: SimNode, output: EngineOutput): void {
    const now = this.now;
    switch (output.type) {
      case 'send': {
        this.counters.sent += 1;
        const linked = this.links.get(node.id)?.has(output.to) ?? false;
        const delivered = linked && this.reachable(node.id, output.to) && this.rng.next() >= this.network.loss;
        for (const observer of this.observers) observer.onSend?.(node.id, output.to, output.bytes, now, delivered);
        if (!delivered) {
          this.counters.lost += 1;
          return;
        }
        this.counters.delivered += 1;
        const at = now + this.latency();
        let deliveries = this.lastDelivery.get(node.id);
        if (deliveries === undefined) {
          deliveries = new Map();
          this.lastDelivery.set(node.id, deliveries);
        }
        if ((deliveries.get(output.to) ?? 0) < at) deliveries.set(output.to, at);
        this.queue.push(at, { kind: 'input', node: output.to, input: { type: 'receive', from: node.id, bytes: output.bytes } });
        return;
      }
      case 'connect': {
        const key = pairKey(node.id, output.peer);
        if (this.connecting.has(key) || this.links.get(node.id)?.has(output.peer)) return;
        this.connecting.add(key);
        const target = this.nodes.get(output.peer);
        const ok = target?.state === 'up' && this.reachable(node.id, output.peer);
        const delay = ok ? this.network.connectLatencies * this.latency() : this.network.connectFailMs;
        this.queue.push(now + delay, { kind: 'connect', from: node.id, to: output.peer });
        return;
      }
      case 'disconnect': {
        const mine = this.links.get(node.id);
        if (!mine?.delete(output.peer)) return;
        this.links.get(output.peer)?.delete(node.id);
        const at = Math.max(now + this.latency(), (this.lastDelivery.get(node.id)?.get(output.peer) ?? 0) + 1);
        this.lastDelivery.get(node.id)?.delete(output.peer);
        this.lastDelivery.get(output.peer)?.delete(node.id);
        this.queue.push(at, { kind: 'input', node: output.peer, input: { type: 'link-down', peer: node.id } });
        return;
      }
      case 'set-timer': {
        const at = Math.max(output.at, now);
        const armed = node.timers.get(output.timer);
        // Engines re-arm periodic timers to later times all the time: keep the queued entry and let it
        // requeue itself when it comes up early (a binary heap full of dead entries is slow).
        if (armed !== undefined && armed.queuedAt <= at) {
          armed.at = at;
          return;
        }
        const token = ++this.timerToken;
        node.timers.set(output.timer, { at, token, queuedAt: at });
        this.queue.push(at, { kind: 'timer', node: node.id, timer: output.timer, token });
        return;
      }
      case 'clear-timer':
        node.timers.delete(output.timer);
        return;
      default:
        for (const observer of this.observers) observer.onEvent?.(node.id, output, now);
    }
  }

  private completeConnect(from: PeerId, to: PeerId): void {
    this.connecting.delete(pairKey(from, to));
    const a = this.nodes.get(from);
    const b = this.nodes.get(to);
    if (a?.state !== 'up') return;
    if (b?.state !== 'up' || !this.reachable(from, to)) {
      this.feed(a, { type: 'link-down', peer: to });
      return;
    }
    const linksA = this.links.get(from) as Set<PeerId>;
    if (linksA.has(to)) return;
    linksA.add(to);
    (this.links.get(to) as Set<PeerId>).add(from);
    this.counters.maxLinks = Math.max(this.counters.maxLinks, linksA.size, this.links.get(to)?.size ?? 0);
    this.feed(a, { type: 'link-up', peer: to });
    this.feed(b, { type: 'link-up', peer: from });
  }
}

/** One-way latency: uniform within ±jitter of the median, and a 1% tail up to 4x (queues, retransmissions). */
export function sampleLatency(rng: Prng, network: NetworkModel): number {
  const base = network.latencyMs * (1 - network.jitter + 2 * network.jitter * rng.next());
  return rng.next() < 0.01 ? base * (1 + 3 * rng.next()) : base;
}

function pairKey(a: PeerId, b: PeerId): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

