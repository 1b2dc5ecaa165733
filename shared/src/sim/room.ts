/**
 * A simulated room of gossip engines with the app-side view each tab would
 * show (members and their presence, rebuilt from the engine's events), plus
 * the checks tests and benchmarks share: convergence, false verdicts, links.
 */
import type { EngineOutput, PeerId, Presence } from '../engine/types.js';
import type { GossipOverrides } from '../gossip/config.js';
import { GossipEngine } from '../gossip/gossip-engine.js';
import { simTrust } from './sim-trust.js';
import { Simulator, type NetworkModel, type SimNode, type SimulatorOptions } from './simulator.js';

export interface RoomOptions {
  seed: number;
  network?: Partial<NetworkModel>;
  engine?: GossipOverrides;
  /** Keep each node's app view (members and presence) from its events. */
  trackViews?: boolean;
  /** Run every layer's checkInvariants() after each event (default true; benchmarks turn it off for speed). */
  checkInvariants?: boolean;
  /** Signaling servers, the driver's timeouts and the CPU model (SimulatorOptions). */
  sim?: Pick<SimulatorOptions, 'servers' | 'signalingBackoff' | 'handshakeTimeoutMs' | 'cpu' | 'discoverySample' | 'meshSignals'>;
}

export interface Verdict {
  at: number;
  observer: PeerId;
  peer: PeerId;
  reason: 'left' | 'dead';
}

export class Room {
  readonly sim: Simulator;
  readonly views = new Map<PeerId, Map<PeerId, Presence>>();
  readonly verdicts: Verdict[] = [];
  /** peer-leave 'dead' about a node that was up at the time. */
  readonly falseDead: Verdict[] = [];
  readonly malformed: Array<{ at: PeerId; output: EngineOutput }> = [];
  private readonly maxLinks: number;
  private readonly deepChecks: boolean;

  constructor(options: RoomOptions) {
    this.maxLinks = options.engine?.overlay?.maxLinks ?? 8;
    this.deepChecks = options.checkInvariants ?? true;
    this.sim = new Simulator({
      ...options.sim,
      seed: options.seed,
      network: options.network,
      createEngine: (id, rng) => new GossipEngine({ selfId: id, rng, trust: simTrust(id), ...options.engine }),
      invariant: (node) => this.invariant(node),
    });
    const track = options.trackViews ?? true;
    this.sim.observers.push({
      onEvent: (at, output, now) => {
        if (output.type === 'peer-leave') {
          const verdict = { at: now, observer: at, peer: output.peer, reason: output.reason };
          this.verdicts.push(verdict);
          if (output.reason === 'dead' && this.sim.nodes.get(output.peer)?.state === 'up') this.falseDead.push(verdict);
        }
        if (output.type === 'malformed') this.malformed.push({ at, output });
        if (!track) return;
        let view = this.views.get(at);
        if (!view) {
          view = new Map();
          this.views.set(at, view);
        }
        if (output.type === 'peer-join' || output.type === 'presence') view.set(output.peer, output.presence);
        else if (output.type === 'peer-leave') view.delete(output.peer);
      },
    });
  }

  private invariant(node: SimNode): string | undefined {
    const engine = node.engine;
    if (engine instanceof GossipEngine) {
      const size = engine.neighbors().size;
      if (size > this.maxLinks) return `active view of ${size} exceeds maxLinks ${this.maxLinks}`;
      if (this.deepChecks) return engine.checkInvariants();
    }
    return undefined;
  }

  engine(id: PeerId): GossipEngine {
    const node = this.sim.nodes.get(id);
    if (!node || !(node.engine instanceof GossipEngine)) throw new Error(`no gossip node ${id}`);
    return node.engine;
  }

  /**
   * Why the room has not converged, or undefined if it has: every up node's
   * view holds exactly the other up nodes, each with its latest presence.
   */
  divergence(expectedPresence?: (id: PeerId) => Presence | undefined): string | undefined {
    const up = this.sim.upNodes();
    const upSet = new Set(up);
    for (const id of up) {
      const view = this.views.get(id) ?? new Map<PeerId, Presence>();
      if (view.size !== up.length - 1) {
        const missing = up.filter((peer) => peer !== id && !view.has(peer)).slice(0, 3);
        const extra = [...view.keys()].filter((peer) => !upSet.has(peer)).slice(0, 3);
        return `${id} sees ${view.size} of ${up.length - 1} peers (missing ${missing.join(',')}; extra ${extra.join(',')})`;
      }
      for (const peer of view.keys()) if (!upSet.has(peer)) return `${id} still sees ${peer}`;
      if (expectedPresence) {
        for (const [peer, presence] of view) {
          const want = expectedPresence(peer);
          if (want !== undefined && JSON.stringify(want) !== JSON.stringify(presence)) {
            return `${id} has stale presence for ${peer}: ${JSON.stringify(presence)} ≠ ${JSON.stringify(want)}`;
          }
        }
      }
    }
    return undefined;
  }

  /** Runs until converged (checked every `stepMs`) or `until`; returns the time it converged, or undefined. */
  runUntilConverged(until: number, stepMs = 250, expectedPresence?: (id: PeerId) => Presence | undefined): number | undefined {
    while (this.sim.now < until) {
      this.sim.runUntil(this.sim.now + stepMs);
      if (this.divergence(expectedPresence) === undefined) return this.sim.now;
    }
    return undefined;
  }
}

export function peerIds(n: number, prefix = 'p'): PeerId[] {
  const width = String(n - 1).length;
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
}
