/**
 * A simulated room with hostile members: honest GossipEngines plus
 * Adversary nodes (adversary.ts) for the ids the test chooses, on the real
 * Simulator. It measures what attacks are judged by: who lists whom, bytes
 * and frames on the wire, app deliveries. An honest tab can also reload
 * (`restart`): same id, fresh engine, as a tab that rejoins the room.
 */
import { ADVERSARY_SIGNER } from './adversary-frames.js';
import { simTrust } from './sim-trust.js';
import type { Engine, EngineInput, EngineOutput, PeerId } from '../engine/types.js';
import type { GossipOverrides } from '../gossip/config.js';
import { GossipEngine } from '../gossip/gossip-engine.js';
import { isLive } from '../gossip/membership.js';
import { createPrng, type Prng } from '../prng.js';
import { Adversary, type AdversaryOptions } from './adversary.js';
import { peerIds } from './room.js';
import { Simulator, type NetworkModel } from './simulator.js';

export interface HostileRoomOptions {
  seed: number;
  /** Honest members (ids p00, p01, …). */
  honest: number;
  /** Hostile members by id; an id above every honest one keeps the tree root honest. */
  adversaries: Readonly<Record<PeerId, AdversaryOptions>>;
  network?: Partial<NetworkModel>;
  engine?: GossipOverrides;
}

/** Timer the harness feeds an honest node to reload it (never reaches an engine). */
const RESTART_TIMER = 'harness:restart';

/** An honest tab whose engine can be replaced by a fresh one (a reload). */
class HonestTab implements Engine {
  readonly selfId: PeerId;
  engine: GossipEngine;
  private readonly make: () => GossipEngine;
  private readonly links: () => ReadonlySet<PeerId>;
  private readonly sample: () => PeerId[];
  /** `connect` outputs (link negotiations asked of the driver), across reloads. */
  connects = 0;

  constructor(id: PeerId, make: () => GossipEngine, links: () => ReadonlySet<PeerId>, sample: () => PeerId[]) {
    this.selfId = id;
    this.make = make;
    this.links = links;
    this.sample = sample;
    this.engine = make();
  }

  handle(input: EngineInput, now: number): EngineOutput[] {
    const out = input.type === 'timer' && input.timer === RESTART_TIMER ? this.reload(now) : this.engine.handle(input, now);
    for (const output of out) if (output.type === 'connect') this.connects += 1;
    return out;
  }

  private reload(now: number): EngineOutput[] {
    // The page closes without a goodbye (its links drop) and opens again under the same id.
    const out: EngineOutput[] = [...this.links()].map((peer) => ({ type: 'disconnect', peer }));
    this.engine = this.make();
    out.push(...this.engine.handle({ type: 'start' }, now));
    out.push(...this.engine.handle({ type: 'discovered', peers: this.sample() }, now));
    return out;
  }
}

export class HostileRoom {
  readonly sim: Simulator;
  readonly honestIds: PeerId[];
  readonly adversaryIds: PeerId[];
  /** Every send the network carried (delivered or not). */
  readonly traffic = { frames: 0, bytes: 0 };

  constructor(options: HostileRoomOptions) {
    this.honestIds = peerIds(options.honest);
    this.adversaryIds = Object.keys(options.adversaries);
    const sampleRng = createPrng(options.seed + 7);
    const engineFor = (id: PeerId, rng: Prng, initialIncarnation = 0): GossipEngine =>
      new GossipEngine({ selfId: id, rng, trust: simTrust(id), initialIncarnation, ...options.engine });
    this.sim = new Simulator({
      seed: options.seed,
      network: options.network,
      createEngine: (id, rng) => {
        const hostile = options.adversaries[id];
        if (hostile !== undefined) return new Adversary(engineFor(id, rng), hostile);
        let reloads = 0;
        return new HonestTab(
          id,
          // A reload starts at the clock's seconds, as the client's first incarnation does (room-wiring.ts).
          () => (reloads++ === 0 ? engineFor(id, rng) : engineFor(id, createPrng(rng.int(2 ** 31)), Math.floor(this.sim.now / 1000))),
          () => this.sim.linksOf(id),
          () => sampleRng.sample(this.sim.upNodes().filter((peer) => peer !== id), 20),
        );
      },
    });
    this.sim.observers.push({
      onSend: (_from, _to, bytes) => {
        this.traffic.frames += 1;
        this.traffic.bytes += bytes.length;
      },
    });
  }

  /** Joins honest members over `overMs`, the adversaries right after them. */
  joinAll(overMs: number): void {
    const all = [...this.honestIds, ...this.adversaryIds];
    all.forEach((id, i) => this.sim.join(id, (i * overMs) / all.length));
  }

  /** The gossip engine of a node (the inner, honest one for an adversary). */
  engine(id: PeerId): GossipEngine {
    const engine = this.sim.nodes.get(id)?.engine;
    if (engine instanceof HonestTab) return engine.engine;
    if (engine instanceof Adversary) return engine.inner;
    throw new Error(`no node ${id}`);
  }

  /** `connect` outputs of every honest member so far (each is a WebRTC negotiation in a browser). */
  connects(): number {
    let total = 0;
    for (const node of this.sim.nodes.values()) if (node.engine instanceof HonestTab) total += node.engine.connects;
    return total;
  }

  adversary(id: PeerId): Adversary {
    const engine = this.sim.nodes.get(id)?.engine;
    if (!(engine instanceof Adversary)) throw new Error(`${id} is not an adversary`);
    return engine;
  }

  /** Honest members up now, other than `except`. */
  honestUp(except?: PeerId): PeerId[] {
    return this.honestIds.filter((id) => id !== except && this.sim.nodes.get(id)?.state === 'up');
  }

  /** How many up honest members (other than `peer`) hold `peer` live. */
  listedBy(peer: PeerId): number {
    return this.honestUp(peer).filter((id) => isLive(this.engine(id).member(peer)?.status)).length;
  }

  /** Up honest members whose member table misses a live honest member: the room has not converged. */
  unconverged(): PeerId[] {
    const up = this.honestUp();
    return up.filter((id) => up.some((peer) => peer !== id && !isLive(this.engine(id).member(peer)?.status)));
  }

  /** Reloads an honest tab at `at`: same id, fresh engine whose first incarnation is the virtual clock's seconds (as the client's). */
  restart(id: PeerId, at: number): void {
    this.sim.schedule(at, () => {
      const node = this.sim.nodes.get(id);
      if (node?.state === 'up') this.sim.feed(node, { type: 'timer', timer: RESTART_TIMER });
    });
  }
}

/**
 * Entries in an engine's routing table. The engine has no public count yet, so
 * this reads the private field (test-only; a snapshot field would replace it).
 */
export function routingEntries(engine: GossipEngine): number {
  const table = (engine as unknown as { routing?: { nextHop?: unknown } }).routing?.nextHop;
  if (!(table instanceof Map)) throw new Error('GossipEngine internals changed: routingEntries() must read the routing table another way');
  return table.size;
}

/** Median of a list (undefined when empty). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The hostile member's id: above every honest id, so the broadcast tree's root stays honest. */
export const MALLORY = ADVERSARY_SIGNER;
/** What every attack test shares: the seed, when the attack starts (the room has settled), its victim, the vitest timeout. */
export const ATTACK = { seed: 13, at: 12_000, victim: 'p25' as PeerId, timeoutMs: 60_000 } as const;

/** Honest members in every attack test (the issue asks N ≥ 50). */
export const HONEST = 50;

/**
 * A room of HONEST honest members and MALLORY running `attacks`, joined over
 * 2 s and run until `settleMs` (converged by then at seed 1…100 in our runs).
 */
export function settledRoom(seed: number, attacks: AdversaryOptions, settleMs = 10_000, engine?: GossipOverrides): HostileRoom {
  const room = new HostileRoom({ seed, honest: HONEST, adversaries: { [MALLORY]: attacks }, engine });
  room.joinAll(2000);
  room.sim.runUntil(settleMs);
  return room;
}
