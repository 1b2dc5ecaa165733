/**
 * The gossip engine: HyParView overlay, Plumtree broadcast over a BFS
 * spanning tree, SWIM+Lifeguard failure detection, liveness verdicts,
 * Scuttlebutt anti-entropy, LWW presence and reverse-path routing, behind
 * the sans-IO `Engine` interface. Each layer is a state machine of its own;
 * this file is only the router (iroh-gossip's topic.rs): it hands inputs,
 * frames and timers to the layer they belong to and feeds the events one
 * layer raises into the others. PROTOCOL.md describes the wire.
 */
import type { Engine, EngineInput, EngineOutput, PeerId } from '../engine/types.js';
import { ErrorCode, MurmurError, isMurmurError } from '../errors.js';
import { AntiEntropy } from './anti-entropy.js';
import { Broadcast, isFlooded } from './broadcast.js';
import { resolveConfig, type GossipConfig, type GossipOptions } from './config.js';
import { Context, type EngineStats } from './context.js';
import type { LayerEvent } from './events.js';
import { FailureDetector } from './failure-detector.js';
import { Liveness } from './liveness.js';
import { isLive, Membership, type Member } from './membership.js';
import { OVERLAY_FRAMES, Overlay, type OverlayFrame } from './overlay.js';
import { Presence } from './presence.js';
import { Routing } from './routing.js';
import type { GossipSnapshot, MemberSnapshot } from './snapshot.js';
import { SpanningTree } from './spanning-tree.js';
import { isTimer, type Timer } from './timers.js';
import { encodeGossipBody, type GossipBody } from './wire/gossip-body.js';
import { decodeFrame, type Frame } from './wire/frames.js';

export type { GossipSnapshot, MemberSnapshot } from './snapshot.js';

export class GossipEngine implements Engine {
  readonly selfId: PeerId;
  private readonly config: GossipConfig;
  private readonly ctx: Context;
  private readonly membership: Membership;
  private readonly overlay: Overlay;
  private readonly broadcast: Broadcast;
  private readonly detector: FailureDetector;
  private readonly liveness: Liveness;
  private readonly presence: Presence;
  private readonly antiEntropy: AntiEntropy;
  private readonly routing: Routing;
  private readonly tree: SpanningTree;
  private started = false;
  private stopped = false;

  constructor(options: GossipOptions) {
    this.config = resolveConfig(options);
    this.selfId = this.config.selfId;
    this.ctx = new Context(this.config);
    const membership = new Membership(this.selfId, this.config.initialIncarnation);
    this.membership = membership;
    const overlay = new Overlay(this.ctx);
    this.overlay = overlay;
    this.ctx.view = {
      neighbors: overlay.active,
      statusOf: (peer) => membership.statusOf(peer),
      get liveCount() {
        return membership.liveCount;
      },
      livePeers: () => membership.livePeers(),
      get selfIncarnation() {
        return membership.self.incarnation;
      },
      dialing: (peer) => overlay.dialing(peer),
    };
    this.ctx.route = (event) => this.onEvent(event);
    this.broadcast = new Broadcast(this.ctx);
    this.routing = new Routing(this.ctx);
    this.tree = new SpanningTree(this.ctx);
    this.detector = new FailureDetector(this.ctx);
    this.liveness = new Liveness(this.ctx, membership);
    this.presence = new Presence(this.ctx, membership);
    this.antiEntropy = new AntiEntropy(this.ctx, membership);
  }

  handle(input: EngineInput, now: number): EngineOutput[] {
    if (this.stopped) return [];
    this.ctx.now = now;
    this.ctx.out = [];
    switch (input.type) {
      case 'start':
        if (this.started) break;
        this.started = true;
        // Random phases (drawn in this order) so a room started at once does not act in lock step.
        this.detector.start();
        this.antiEntropy.start();
        this.overlay.start();
        this.liveness.start();
        break;
      case 'discovered':
        this.overlay.discovered(input.peers.filter((peer) => this.liveness.mayLink(peer)));
        break;
      case 'link-up':
        // A link only comes up with a live tab at the other end.
        this.liveness.linkUp(input.peer);
        this.overlay.linkUp(input.peer);
        break;
      case 'link-down': {
        const dialFailed = this.overlay.pending.has(input.peer) && !this.overlay.active.has(input.peer);
        this.overlay.linkDown(input.peer);
        if (!this.overlay.active.has(input.peer)) this.tree.forget(input.peer);
        if (dialFailed) this.liveness.dialFailed(input.peer);
        this.liveness.checkRedials();
        break;
      }
      case 'receive':
        this.receive(input.from, input.bytes);
        break;
      case 'timer':
        if (isTimer(input.timer)) this.onTimer(input.timer);
        break;
      case 'set-presence':
        this.presence.set(input.presence);
        break;
      case 'broadcast':
        if (input.payload.length > this.config.maxPayloadBytes) {
          throw new MurmurError(ErrorCode.BAD_ARGUMENT, `broadcast payload of ${input.payload.length} bytes is over maxPayloadBytes`);
        }
        this.publish({ kind: 'data', payload: input.payload });
        break;
      case 'route':
        this.routing.sendApp(input.to, input.payload);
        break;
      case 'leave':
        this.leave();
        break;
    }
    return this.ctx.out;
  }

  private onTimer(timer: Timer): void {
    this.ctx.fired(timer);
    switch (timer) {
      case 'probe':
        return this.detector.onProbeTimer();
      case 'probe-timeout':
        return this.detector.onProbeTimeout();
      case 'suspicion':
        return this.detector.onSuspicionTimer();
      case 'verify':
        return this.detector.onVerifyTimer();
      case 'ihave':
        return this.broadcast.flushLazy();
      case 'graft':
        return this.broadcast.onGraftTimer();
      case 'resend':
        return this.broadcast.onResendTimer();
      case 'got':
        return this.broadcast.flushAcks();
      case 'anti-entropy':
        return this.antiEntropy.onTimer();
      case 'maintain':
        this.overlay.maintain();
        this.liveness.checkRedials();
        return this.broadcast.expire();
      case 'shuffle':
        return this.overlay.shuffle();
      case 'reconnect':
        return this.liveness.onReconnectTimer();
      case 'presence':
        return this.presence.onTimer();
    }
  }

  /** Routes what one layer raised into the layers it concerns. */
  private onEvent(event: LayerEvent): void {
    switch (event.type) {
      case 'neighbor-up':
        this.broadcast.neighborUp(event.peer);
        this.tree.neighborUp(event.peer);
        if (event.first && !this.liveness.announced) {
          this.liveness.announce();
          if (this.membership.self.presenceVersion > 0) this.presence.flush();
        }
        // Sync at once when we are joining (we know nobody yet) or the link bridges a healed partition
        // (we hold the peer dead); otherwise the periodic exchange suffices, and a full-state transfer
        // on each of a newcomer's ~8 links would cost 8x the membership per join.
        if (this.config.roomMembership && (event.first || !isLive(this.membership.statusOf(event.peer)))) {
          this.antiEntropy.sendDigest(event.peer);
        }
        return;
      case 'neighbor-down': {
        const lastHeard = this.detector.heardAt(event.peer);
        this.broadcast.neighborDown(event.peer);
        this.tree.neighborDown(event.peer);
        this.detector.forgetNeighbor(event.peer);
        // A link that fails without a goodbye may be the first sign of a crashed tab.
        if (!event.graceful) {
          this.ctx.stats.linkFailures += 1;
          this.detector.verify(event.peer, lastHeard);
        }
        return;
      }
      case 'heard-alive':
        return this.liveness.heardAlive(event.peer, event.incarnation);
      case 'ping': {
        const { target, seq } = event;
        const suspected = this.membership.statusOf(target) === 'suspect';
        const digest = event.first ? this.antiEntropy.takeDigest() : [];
        return this.ctx.send(target, { type: 'ping', seq, suspected, digest, tree: this.tree.current() });
      }
      case 'relay-ping':
        return this.routing.sendVia(event.helper, this.selfId, event.target, { kind: 'ping', seq: event.seq });
      case 'probe-failed':
        return this.liveness.accuse(event.peer);
      case 'verify-failed':
        return this.liveness.redial(event.peer);
      case 'suspicion-expired':
        return this.liveness.declareDead(event.peer, event.incarnation);
      case 'tree-changed':
        return this.broadcast.setTreeLinks(this.tree.treeLinks(), this.overlay.active);
      case 'relayed-ack':
        return this.detector.onAck(event.peer, event.seq);
      case 'publish':
        return this.publish(event.body);
      case 'suspect':
        return this.detector.suspect(event.peer, event.incarnation, event.accuser, event.notBefore);
      case 'clear-suspicion':
        return this.detector.clearSuspicion(event.peer);
      case 'member-gone':
        this.overlay.forget(event.peer);
        if (event.peer === this.tree.root) this.tree.update();
        this.detector.forgetNeighbor(event.peer);
        return this.routing.forget(event.peer);
      case 'refuted':
        return this.detector.noteRefutation();
      case 'dial':
        return this.overlay.dial(event.peer, event.intent);
      case 'verify':
        return this.detector.verify(event.peer, undefined);
      case 'presence-due': {
        if (!this.liveness.announced) return; // the first neighbour triggers the announcement
        const self = this.membership.self;
        this.broadcast.publish(encodeGossipBody({ kind: 'presence', version: self.presenceVersion, presence: self.presence, json: self.presenceJson }));
        return;
      }
    }
  }

  private receive(from: PeerId, bytes: Uint8Array): void {
    this.ctx.stats.msgsIn += 1;
    this.ctx.stats.bytesIn += bytes.length;
    if (!this.overlay.links.has(from)) return; // late bytes on a link we already closed
    let frame: Frame;
    try {
      frame = decodeFrame(bytes, this.ctx.limits);
    } catch (error) {
      this.ctx.stats.malformed += 1;
      const code = isMurmurError(error) ? error.code : ErrorCode.BAD_WIRE;
      this.ctx.emit({ type: 'malformed', from, code, message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (frame.type !== 'welcome' && frame.type !== 'refuse' && frame.type !== 'hello' && frame.type !== 'disconnect') this.overlay.impliedWelcome(from);
    if (OVERLAY_FRAMES.has(frame.type)) this.overlay.receive(from, frame as OverlayFrame);
    else this.dispatch(from, frame);
    this.detector.heardFrom(from);
  }

  private dispatch(from: PeerId, frame: Frame): void {
    switch (frame.type) {
      case 'ping':
        if (frame.tree) this.tree.onAdvert(from, frame.tree);
        this.ctx.send(from, { type: 'ack', seq: frame.seq, tree: this.tree.current() });
        this.detector.exchanged(from, true);
        if (frame.suspected) this.liveness.suspectedByPing();
        if (frame.digest.length > 0) {
          this.antiEntropy.onDigest(from, frame.digest);
          this.liveness.synced();
        }
        return;
      case 'ack':
        if (frame.tree) this.tree.onAdvert(from, frame.tree);
        return this.detector.onAck(from, frame.seq);
      case 'gossip':
        return this.onGossip(from, frame);
      case 'ihave':
        if (from === this.tree.parent) this.tree.refresh(from);
        return this.broadcast.onIhave(from, frame.entries);
      case 'graft':
        return this.broadcast.onGraft(from, frame.entries);
      case 'got':
        return this.broadcast.onGot(from, frame.entries);
      case 'tree':
        return this.tree.onAdvert(from, frame);
      case 'digest':
        this.antiEntropy.onDigest(from, frame.hashes);
        return this.liveness.synced();
      case 'records':
        for (const record of frame.records) this.liveness.mergeRecord(record, from);
        this.liveness.synced();
        if (frame.wantBack) this.antiEntropy.answer(from, frame.bucketCount, frame.buckets, frame.records);
        return;
      case 'route':
        return this.routing.onRoute(from, frame.origin, frame.to, frame.ttl, frame.content);
      default:
        return; // PRUNE is retired: the spanning tree decides tree links
    }
  }

  private onGossip(from: PeerId, frame: Extract<Frame, { type: 'gossip' }>): void {
    const flooded = isFlooded(frame.bodyBytes);
    // An unrequested push off the tree (not a flooded verdict, not an answer to our GRAFT): the sender thinks we are its child.
    if (!flooded && !this.tree.treeLinks().has(from) && this.overlay.active.has(from) && !this.broadcast.isMissing(frame.origin, frame.seq)) {
      this.tree.refresh(from);
    }
    if (!this.broadcast.receive(from, frame.origin, frame.seq, frame.round, frame.bodyBytes)) {
      this.routing.learn(frame.origin, from, false);
      return;
    }
    this.routing.learn(frame.origin, from);
    // A flooded verdict goes out before it is applied: it must reach the accused neighbour (to
    // refute) before the link to it is dropped. Anything else is passed on only if it was news.
    if (flooded) this.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
    const news = this.liveness.applyGossip(frame.origin, frame.body);
    if (!flooded && news) this.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
    else if (!news) this.ctx.stats.staleNotRelayed += 1;
  }

  /** Publishes our own broadcast and applies it locally like any received one. */
  private publish(body: GossipBody): void {
    this.broadcast.publish(encodeGossipBody(body));
    this.liveness.applyGossip(this.selfId, body);
  }

  private leave(): void {
    const self = this.membership.self;
    this.membership.setSelfStatus('left');
    this.broadcast.sendToAll(encodeGossipBody({ kind: 'left', incarnation: self.incarnation }), this.overlay.active);
    for (const peer of this.overlay.links) this.ctx.emit({ type: 'disconnect', peer });
    for (const peer of this.overlay.pending.keys()) if (!this.overlay.links.has(peer)) this.ctx.emit({ type: 'disconnect', peer });
    this.ctx.clearAllTimers();
    this.stopped = true;
  }

  snapshot(): GossipSnapshot {
    const members: MemberSnapshot[] = [];
    for (const member of this.membership.members.values()) {
      if (member.peer === this.selfId) continue;
      members.push({ peer: member.peer, status: member.status, incarnation: member.incarnation, presenceVersion: member.presenceVersion });
    }
    const { active, passive, pending } = this.overlay;
    const { eager, lazy } = this.broadcast;
    const tree = { root: this.tree.root, distance: this.tree.distance, parent: this.tree.parent };
    const rttMs = Object.fromEntries(this.detector.rtt);
    return { selfId: this.selfId, incarnation: this.membership.self.incarnation, health: this.detector.health, active: [...active], passive: [...passive], pending: [...pending.keys()], eager: [...eager], lazy: [...lazy], tree, members, rttMs, stats: { ...this.ctx.stats } };
  }

  /** Test-only: the first broken invariant of any layer, or undefined (the simulator tests check after every event). */
  checkInvariants(): string | undefined {
    if (this.stopped) return undefined; // after leave nothing is armed and nothing more happens
    const layers: Array<[string, () => string | undefined]> = [
      ['overlay', () => this.overlay.checkInvariants()],
      ['broadcast', () => this.broadcast.checkInvariants(this.overlay.active)],
      ['tree', () => this.tree.checkInvariants()],
      ['detector', () => this.detector.checkInvariants()],
      ['liveness', () => this.liveness.checkInvariants()],
      ['presence', () => this.presence.checkInvariants()],
    ];
    for (const [name, check] of layers) {
      const broken = check();
      if (broken !== undefined) return `${name}: ${broken}`;
    }
    return undefined;
  }

  /** Cheap read for simulators: the live members' ids (excluding self). */
  livePeers(): PeerId[] {
    return this.membership.livePeers();
  }

  /** Cheap read for simulators: one member's status and presence. */
  member(peer: PeerId): Readonly<Member> | undefined {
    return this.membership.get(peer);
  }

  /** Cheap read for simulators: the active view. */
  neighbors(): ReadonlySet<PeerId> {
    return this.overlay.active;
  }

  get stats(): Readonly<EngineStats> {
    return this.ctx.stats;
  }
}
