/**
 * Routing of peer-addressed messages over the mesh (relayed signaling and
 * indirect probes), by reverse paths: whenever a broadcast or routed message
 * from `origin` first reaches us over neighbour `via`, `via` becomes our next
 * hop towards `origin` (AODV's reverse route, learnt for free from Plumtree,
 * whose eager copy is the fastest path). Every member announces itself on
 * joining and refutes or updates presence later, so routes exist for all
 * members that ever spoke. With no usable route, app payloads fall back to a
 * broadcast (the caller floods them) if `to` is a member we know as live:
 * a flood toward a peer the room has not heard of (a newcomer whose link
 * answer the driver also routes) cannot reach it and costs a frame per link
 * of the room. Probe traffic is simply dropped.
 */
import type { PeerId } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';
import type { Context } from './context.js';
import type { RouteContent } from './wire/frames.js';

/**
 * Routes kept to origins that are not in our member table, at most (oldest
 * dropped first). A newcomer's relayed link offer arrives before its
 * announcement, and the answer needs the way back, so such routes are
 * learnt; but 50,000 ROUTE frames from made-up origins left 50,000 entries
 * (issue 13). Routes to members are bounded by the member table.
 */
export const STRANGER_ROUTES = 64;

export class Routing {
  private readonly ctx: Context;
  private readonly nextHop = new Map<PeerId, PeerId>();
  /** Origins of routes learnt while they were not members, oldest first (see STRANGER_ROUTES). */
  private readonly strangers = new Set<PeerId>();

  constructor(ctx: Context) {
    this.ctx = ctx;
  }

  private get neighbors(): ReadonlySet<PeerId> {
    return this.ctx.view.neighbors;
  }

  /** Learns `via` as next hop to `origin`; unless `fresh`, only replaces a route that went stale. */
  learn(origin: PeerId, via: PeerId, fresh = true): void {
    if (origin === this.ctx.self || !this.neighbors.has(via)) return;
    if (!fresh) {
      const hop = this.nextHop.get(origin);
      if (hop !== undefined && this.neighbors.has(hop)) return;
    }
    if (!this.nextHop.has(origin) && this.ctx.view.statusOf(origin) === undefined) this.addStranger(origin);
    this.nextHop.set(origin, via);
  }

  private addStranger(origin: PeerId): void {
    this.strangers.add(origin);
    if (this.strangers.size <= STRANGER_ROUTES) return;
    for (const oldest of this.strangers) {
      this.strangers.delete(oldest);
      // One that has joined the member table since keeps its route.
      if (this.ctx.view.statusOf(oldest) === undefined) {
        this.nextHop.delete(oldest);
        this.ctx.stats.routesDropped += 1;
      }
      if (this.strangers.size <= STRANGER_ROUTES) return;
    }
  }

  /** Routes held (for EngineSizes). */
  get size(): number {
    return this.nextHop.size;
  }

  forget(peer: PeerId): void {
    this.nextHop.delete(peer);
    this.strangers.delete(peer);
  }

  /** Some other member's messages reach us through neighbour `peer`: it has a link besides ours. */
  routesThrough(peer: PeerId): boolean {
    for (const [origin, hop] of this.nextHop) if (hop === peer && origin !== peer) return true;
    return false;
  }

  /** The neighbour to hand a message for `to` to, if any. */
  hopFor(to: PeerId, avoid?: PeerId): PeerId | undefined {
    if (this.neighbors.has(to)) return to;
    const hop = this.nextHop.get(to);
    if (hop !== undefined && hop !== avoid && this.neighbors.has(hop)) return hop;
    return undefined;
  }

  /**
   * Sends toward `to`; returns false when no route is known. Probe traffic
   * without a route takes a random step instead (a TTL-bounded walk often
   * meets a node that knows the way, which beats dropping a liveness check).
   */
  send(origin: PeerId, to: PeerId, ttl: number, content: RouteContent, avoid?: PeerId): boolean {
    let hop = this.hopFor(to, avoid);
    if (hop === undefined && content.kind !== 'app') hop = this.ctx.config.rng.pick([...this.neighbors].filter((peer) => peer !== avoid));
    if (hop === undefined) return false;
    this.ctx.send(hop, { type: 'route', origin, to, ttl, content });
    return true;
  }

  /** A ROUTE frame arrived from neighbour `from`: deliver it, pass it on, or (an app payload with no route) broadcast it. */
  onRoute(from: PeerId, origin: PeerId, to: PeerId, ttl: number, content: RouteContent): void {
    this.learn(origin, from);
    if (to === this.ctx.self) {
      if (content.kind === 'app') this.ctx.emit({ type: 'routed', from: origin, payload: content.payload });
      else if (content.kind === 'ping') this.send(this.ctx.self, origin, this.probeTtl, { kind: 'ack', seq: content.seq });
      else this.ctx.raise({ type: 'relayed-ack', peer: origin, seq: content.seq });
      return;
    }
    if (ttl <= 1) return;
    if (this.send(origin, to, ttl - 1, content, from)) return;
    if (content.kind === 'app' && this.floodable(to)) this.ctx.raise({ type: 'publish', body: { kind: 'routed', from: origin, to, payload: content.payload } });
  }

  /** Worth a room-wide flood: a member we know as live (a flood to anyone else reaches nobody who wants it). */
  private floodable(to: PeerId): boolean {
    const status = this.ctx.view.statusOf(to);
    return status === 'alive' || status === 'suspect';
  }

  /** The app sends `payload` to `to`: along a route if we know one, else as a broadcast only `to` delivers. */
  sendApp(to: PeerId, payload: Uint8Array): void {
    if (payload.length > this.ctx.config.limits.maxPayloadBytes) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `routed payload of ${payload.length} bytes is over maxPayloadBytes`);
    }
    if (to === this.ctx.self) return;
    if (!this.send(this.ctx.self, to, this.ctx.config.limits.routeTtl, { kind: 'app', payload }) && this.floodable(to)) {
      this.ctx.raise({ type: 'publish', body: { kind: 'routed', from: this.ctx.self, to, payload } });
    }
  }

  /** Sends probe traffic through a chosen first hop (indirect probes go through a helper). */
  sendVia(hop: PeerId, origin: PeerId, to: PeerId, content: RouteContent): void {
    this.ctx.send(hop, { type: 'route', origin, to, ttl: this.probeTtl, content });
  }

  /** Hop limit for probe traffic: config.limits.probeRouteTtl, or routeTtl if that is lower. */
  get probeTtl(): number {
    return Math.min(this.ctx.config.limits.probeRouteTtl, this.ctx.config.limits.routeTtl);
  }
}
