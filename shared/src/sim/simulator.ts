/**
 * The deterministic simulator: one more driver of the sans-IO engine.
 *
 * A virtual clock (a priority queue of events) runs any number of engines;
 * the network has a seeded latency distribution, independent loss,
 * partitions and healing; nodes join, leave, and crash (a crashed node goes
 * silent, its links stay open: the hardest case for failure detection).
 * Links are made the way the real driver makes them: signaling servers that
 * scenarios stop and start (signaling-servers.ts) introduce tabs, and a link's
 * offer, answer and candidates travel through a server both ends are on or
 * over the mesh along the engines' own routes (handshakes.ts); nothing else
 * opens a link. An optional CPU model makes nodes process timers and inputs
 * late, as on a loaded machine running many peers per process.
 * Everything random comes from one Prng seeded by the run's seed, so a run
 * replays exactly. Invariants are checked after every step; a violation
 * throws a SimError carrying the seed.
 */
import type { Engine, EngineInput, EngineOutput, PeerId } from '../engine/types.js';
import { fnv1a } from '../gossip/maths.js';
import { createPrng, type Prng } from '../prng.js';
import { Cpu, type CpuModel } from './cpu.js';
import { EventQueue } from './event-queue.js';
import { components } from './link-graph.js';
import { decodeSignal, encodeSignal, Handshakes } from './handshakes.js';
import { SignalingServers } from './signaling-servers.js';

export interface NetworkModel {
  /** Median one-way latency, ms. */
  latencyMs: number;
  /** Latency spread: each message takes latencyMs × (1 − jitter … 1 + jitter), plus a rare tail. */
  jitter: number;
  /** Probability a message is lost. */
  loss: number;
  /** ICE checks, DTLS and SCTP once offer and answer have arrived, in one-way latencies on the direct path. */
  connectLatencies: number;
}

export type { CpuModel } from './cpu.js';

export const DEFAULT_NETWORK: NetworkModel = { latencyMs: 50, jitter: 0.2, loss: 0, connectLatencies: 4 };

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

/** A node as the driver holds it: its own link set (the one in `links`) and latest delivery per link beside it. */
export interface DrivenNode extends SimNode {
  readonly links: Set<PeerId>;
  /** Latest scheduled delivery per outgoing link: a close never overtakes data sent before it. */
  readonly lastDelivery: Map<PeerId, number>;
  /** The signaling status last fed to its engine (joined on some server). */
  serverJoined: boolean;
}

/** Inputs and timers hold their node itself: the loop looks nothing up per event. */
type SimEvent =
  | { kind: 'input'; node: DrivenNode; input: EngineInput }
  | { kind: 'timer'; node: DrivenNode; timer: string; token: number }
  | { kind: 'call'; fn: () => void };

export interface SimulatorOptions {
  seed: number;
  network?: Partial<NetworkModel>;
  /** Builds a node's engine; `rng` is that node's own seeded stream. */
  createEngine: (id: PeerId, rng: Prng) => Engine;
  /** Bootstrap sample size a signaling server hands a joiner (its --sample-size). */
  discoverySample?: number;
  /** Signaling servers the room starts with, all up (default ['default']; [] for none). */
  servers?: readonly string[];
  /** The client's signaling reconnect backoff (signaling-client minBackoffMs/maxBackoffMs: 500/5000 ms). */
  signalingBackoff?: { minMs?: number; maxMs?: number };
  /** A handshake not done within this long fails, ms (client option handshakeTimeoutMs, default 15,000). */
  handshakeTimeoutMs?: number;
  /**
   * When a signal also goes into the mesh as a route: 'always' is today's client (room-wiring.ts
   * sendSignal routes every signal, and with a stale route the engine floods it room-wide: at N=1,000
   * that took idle traffic from 1.3 to 6.8 msgs/peer/s); 'fallback' (default) only when no server
   * carried it, the fix proposed for the client. With every server down both are the same.
   */
  meshSignals?: 'always' | 'fallback';
  /** Late timers and inputs (see CpuModel); none by default. */
  cpu?: CpuModel;
  /** Checked after every event that touched a node; return a message to fail the run. */
  invariant?: (node: SimNode, sim: Simulator) => string | undefined;
}

export class Simulator {
  readonly seed: number;
  readonly network: NetworkModel;
  readonly nodes = new Map<PeerId, DrivenNode>();
  readonly observers: SimObserver[] = [];
  now = 0;
  /** Physical links (both directions). */
  private readonly links = new Map<PeerId, Set<PeerId>>();
  private readonly handshakes: Handshakes;
  private readonly signaling: SignalingServers;
  private readonly cpu: Cpu | undefined;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: Prng;
  private readonly options: SimulatorOptions;
  private groups: Map<PeerId, number> | undefined;
  private timerToken = 0;
  private upIds: PeerId[] = [];
  private upDirty = true;
  readonly counters = { sent: 0, lost: 0, delivered: 0, events: 0, maxLinks: 0, linksOpened: 0, handshakesFailed: 0, signalsViaServer: 0, signalsViaMesh: 0, timerLateMaxMs: 0 };

  constructor(options: SimulatorOptions) {
    this.options = options;
    this.seed = options.seed;
    this.network = { ...DEFAULT_NETWORK, ...options.network };
    this.rng = createPrng(options.seed);
    this.cpu = options.cpu ? new Cpu(options.cpu, this.rng) : undefined;
    this.signaling = new SignalingServers(
      {
        rng: this.rng,
        now: () => this.now,
        schedule: (at, fn) => this.schedule(at, fn),
        latency: () => this.latency(),
        isUp: (id) => this.nodes.get(id)?.state === 'up',
        discovered: (id, peers) => this.input(id, this.now, { type: 'discovered', peers }),
        sessionsChanged: (id) => this.signalingStatus(id),
      },
      { servers: options.servers, sampleSize: options.discoverySample, minBackoffMs: options.signalingBackoff?.minMs, maxBackoffMs: options.signalingBackoff?.maxMs },
    );
    this.handshakes = new Handshakes(
      {
        now: () => this.now,
        schedule: (at, fn) => this.schedule(at, fn),
        iceMs: () => this.network.connectLatencies * this.latency(),
        relay: (from, to, deliver) =>
          this.signaling.relay(from, to, () => {
            this.counters.signalsViaServer += 1;
            deliver();
          }),
        meshAlways: (options.meshSignals ?? 'fallback') === 'always',
        route: (from, to, sid, kind) => this.input(from, this.now, { type: 'route', to, payload: encodeSignal(sid, kind) }),
        hasNeighbours: (id) => {
          const engine = this.nodes.get(id)?.engine as { neighbors?: () => ReadonlySet<PeerId> } | undefined;
          return (engine?.neighbors?.().size ?? this.links.get(id)?.size ?? 0) > 0;
        },
        canConnect: (a, b) => this.nodes.get(a)?.state === 'up' && this.nodes.get(b)?.state === 'up' && this.reachable(a, b),
        opened: (a, b) => this.linkUp(a, b),
        failed: (dialer, answerer) => {
          this.counters.handshakesFailed += 1;
          const node = this.nodes.get(dialer);
          if (node?.state === 'up' && !this.links.get(dialer)?.has(answerer)) this.feed(node, { type: 'link-down', peer: answerer });
        },
      },
      options.handshakeTimeoutMs ?? 15_000,
    );
  }

  // ---- signaling servers ----------------------------------------------------------

  /** Adds a signaling server, up; running nodes dial it. */
  addServer(name: string): void {
    this.schedule(this.now, () => this.signaling.add(name));
  }

  /** Stops a server at `at`: every socket on it closes and its clients retry with backoff. */
  stopServer(name: string, at = this.now): void {
    this.schedule(at, () => this.signaling.stop(name));
  }

  /** Starts a stopped server at `at`; clients rejoin at their next retry. */
  startServer(name: string, at = this.now): void {
    this.schedule(at, () => this.signaling.start(name));
  }

  serverUp(name: string): boolean {
    return this.signaling.isUp(name);
  }

  serverNames = (): string[] => this.signaling.names();

  /** Is `id` in the room on some server that is up? */
  onServer = (id: PeerId): boolean => this.signaling.connected(id);

  // ---- scenario control -------------------------------------------------------

  /** Adds a node that joins at `at` (bootstraps from a sample of the nodes up then). */
  join(id: PeerId, at = this.now): void {
    this.schedule(at, () => this.startNode(id));
  }

  private startNode(id: PeerId): void {
    if (this.nodes.has(id)) throw new SimError(this.seed, `node ${id} joined twice`);
    const engine = this.options.createEngine(id, createPrng((this.seed ^ fnv1a(id)) >>> 0));
    const node: DrivenNode = { id, engine, state: 'up', timers: new Map(), joinedAt: this.now, links: new Set(), lastDelivery: new Map(), serverJoined: false };
    this.nodes.set(id, node);
    this.links.set(id, node.links);
    this.upDirty = true;
    this.feed(node, { type: 'start' });
    // The client's first signaling status is 'connecting': not joined (room-session.ts feeds each status).
    this.feed(node, { type: 'signaling', joined: node.serverJoined });
    // The bootstrap sample comes from the servers it reaches (the 'joined' reply), not from here.
    this.signaling.nodeStarted(id);
  }

  /** Feeds a node's engine its signaling status when it moves (the client's 'status' events). */
  private signalingStatus(id: PeerId): void {
    const node = this.nodes.get(id);
    if (node?.state !== 'up') return;
    const joined = this.signaling.joined(id);
    if (joined === node.serverJoined) return;
    node.serverJoined = joined;
    this.feed(node, { type: 'signaling', joined });
  }

  crash(id: PeerId, at = this.now): void {
    this.schedule(at, () => {
      const node = this.nodes.get(id);
      if (node?.state === 'up') {
        node.state = 'crashed';
        this.upDirty = true;
        this.signaling.nodeGone(id); // its sockets die with it
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
      this.signaling.nodeGone(id);
    });
  }

  /** Closes every link of a node at `at` (room.debug.dropLinks()): both ends see link-down. */
  dropLinks(id: PeerId, at = this.now): void {
    this.schedule(at, () => {
      const node = this.nodes.get(id);
      if (node?.state !== 'up') return;
      for (const peer of [...(this.links.get(id) ?? [])]) {
        this.links.get(id)?.delete(peer);
        this.links.get(peer)?.delete(id);
        this.input(id, this.now, { type: 'link-down', peer });
        this.input(peer, this.now + this.latency(), { type: 'link-down', peer: id });
      }
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
    const queue = this.queue;
    for (let at = queue.peekTime(); at <= until; at = queue.peekTime()) {
      this.now = at;
      this.step(queue.take() as SimEvent);
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

  /** Connected components of the live nodes' link graph, largest first. */
  linkGraphComponents(): PeerId[][] {
    return components(this.upNodes(), (id) => this.links.get(id) ?? [], (id) => this.nodes.get(id)?.state === 'up');
  }

  // ---- the driver ------------------------------------------------------------------

  private step(event: SimEvent): void {
    this.counters.events += 1;
    switch (event.kind) {
      case 'call':
        event.fn();
        return;
      case 'input': {
        const node = event.node;
        if (node.state !== 'up' || this.cpuBusy(node.id, event)) return;
        // A link-down held back by a busy CPU must not close the link that opened since (link-up is fed at once).
        if (event.input.type === 'link-down' && node.links.has(event.input.peer)) return;
        this.feed(node, event.input);
        return;
      }
      case 'timer': {
        const node = event.node;
        const timer = node.timers.get(event.timer);
        if (node.state !== 'up' || timer?.token !== event.token) return;
        if (timer.at > this.now) {
          // Pushed back since it was queued: queue it again for its new time.
          timer.queuedAt = timer.at;
          this.queue.push(timer.at, event);
          return;
        }
        if (this.cpuBusy(node.id, event)) return;
        this.counters.timerLateMaxMs = Math.max(this.counters.timerLateMaxMs, this.now - timer.at);
        node.timers.delete(event.timer);
        this.feed(node, { type: 'timer', timer: event.timer });
        return;
      }
    }
  }

  /** CPU model: true (and the event queued again) while the node's process is still busy. */
  private cpuBusy(id: PeerId, event: SimEvent): boolean {
    const free = this.cpu?.busyUntil(id, this.now);
    if (free === undefined) return false;
    this.queue.push(free, event);
    return true;
  }

  private reachable(a: PeerId, b: PeerId): boolean {
    return this.groups === undefined || this.groups.get(a) === this.groups.get(b);
  }

  /** Queues an input for node `id` (one that has started) at `at`. */
  private input(id: PeerId, at: number, input: EngineInput): void {
    const node = this.nodes.get(id);
    if (node !== undefined) this.queue.push(at, { kind: 'input', node, input });
  }

  private latency(): number {
    return sampleLatency(this.rng, this.network);
  }

  /** Hands one input to a node's engine now and applies what it outputs. */
  feed(node: DrivenNode, input: EngineInput): void {
    if (input.type === 'receive') for (const observer of this.observers) observer.onReceive?.(node.id, input.from, input.bytes, this.now);
    const outputs = node.engine.handle(input, this.now);
    for (const output of outputs) this.apply(node, output);
    if (this.options.invariant) {
      const problem = this.options.invariant(node, this);
      if (problem !== undefined) throw new SimError(this.seed, `t=${this.now} ${node.id}: ${problem}`);
    }
  }

  private apply(node: DrivenNode, output: EngineOutput): void {
    const now = this.now;
    switch (output.type) {
      case 'send': {
        this.counters.sent += 1;
        const linked = node.links.has(output.to);
        const delivered = linked && this.reachable(node.id, output.to) && this.rng.next() >= this.network.loss;
        for (const observer of this.observers) observer.onSend?.(node.id, output.to, output.bytes, now, delivered);
        if (!delivered) {
          this.counters.lost += 1;
          return;
        }
        this.counters.delivered += 1;
        const at = now + this.latency();
        const deliveries = node.lastDelivery;
        if ((deliveries.get(output.to) ?? 0) < at) deliveries.set(output.to, at);
        this.input(output.to, at, { type: 'receive', from: node.id, bytes: output.bytes });
        return;
      }
      case 'connect':
        if (!node.links.has(output.peer)) this.handshakes.start(node.id, output.peer);
        return;
      case 'disconnect': {
        this.handshakes.cancel(node.id, output.peer);
        if (!node.links.delete(output.peer)) return;
        const peer = this.nodes.get(output.peer);
        peer?.links.delete(node.id);
        const at = Math.max(now + this.latency(), (node.lastDelivery.get(output.peer) ?? 0) + 1);
        node.lastDelivery.delete(output.peer);
        peer?.lastDelivery.delete(node.id);
        this.input(output.peer, at, { type: 'link-down', peer: node.id });
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
        this.queue.push(at, { kind: 'timer', node, timer: output.timer, token });
        return;
      }
      case 'clear-timer':
        node.timers.delete(output.timer);
        return;
      case 'routed': {
        const signal = decodeSignal(output.payload);
        if (signal === undefined) break;
        this.counters.signalsViaMesh += 1;
        this.handshakes.arrived(signal.sid, node.id, signal.kind);
        return;
      }
    }
    for (const observer of this.observers) observer.onEvent?.(node.id, output, now);
  }

  private linkUp(dialer: PeerId, answerer: PeerId): void {
    const a = this.nodes.get(dialer) as DrivenNode;
    const b = this.nodes.get(answerer) as DrivenNode;
    if (a.links.has(answerer)) return;
    this.counters.linksOpened += 1;
    a.links.add(answerer);
    b.links.add(dialer);
    this.counters.maxLinks = Math.max(this.counters.maxLinks, a.links.size, b.links.size);
    this.feed(a, { type: 'link-up', peer: answerer });
    this.feed(b, { type: 'link-up', peer: dialer });
  }
}

/** One-way latency: uniform within ±jitter of the median, and a 1% tail up to 4x (queues, retransmissions). */
export function sampleLatency(rng: Prng, network: NetworkModel): number {
  const base = network.latencyMs * (1 - network.jitter + 2 * network.jitter * rng.next());
  return rng.next() < 0.01 ? base * (1 + 3 * rng.next()) : base;
}
