/**
 * The gossip engine: HyParView overlay, Plumtree broadcast, SWIM+Lifeguard
 * failure detection, Scuttlebutt anti-entropy, LWW presence and reverse-path
 * routing, behind the sans-IO `Engine` interface. This file only wires the
 * pieces together and applies membership changes; each piece lives in its
 * own module. PROTOCOL.md describes the wire and the choices.
 */
import type { Engine, EngineInput, EngineOutput, PeerId, Presence } from '../engine/types.js';
import { ErrorCode, MurmurError, isMurmurError } from '../errors.js';
import { ANTI_ENTROPY_TIMER, AntiEntropy } from './anti-entropy.js';
import { Broadcast, GOT_TIMER, GRAFT_TIMER, IHAVE_TIMER, RESEND_TIMER, isFlooded } from './broadcast.js';
import { resolveConfig, type GossipConfig, type GossipOptions } from './config.js';
import { Context, type EngineStats } from './context.js';
import { FailureDetector, PROBE_TIMEOUT_TIMER, PROBE_TIMER, SUSPICION_TIMER, VERIFY_TIMER } from './failure-detector.js';
import { isLive, Membership, type Member, type StatusChange } from './membership.js';
import { MAINTAIN_TIMER, Overlay, SHUFFLE_TIMER } from './overlay.js';
import { Routing } from './routing.js';
import { SpanningTree } from './spanning-tree.js';
import { encodeGossipBody, type GossipBody } from './wire/gossip-body.js';
import { decodeFrame, type Frame, type MemberRecord, type MemberStatus, type RouteContent } from './wire/frames.js';
import { utf8Length } from './wire/presence-json.js';

const PRESENCE_TIMER = 'presence';
const RECONNECT_TIMER = 'reconnect';
/** Room-wide reconnect attempts to dead members wanted per reconnect period (each node tries with probability ~this/N). */
const RECONNECTS_PER_PERIOD = 2;
/** How long a redial of an unreachable former neighbour may take to produce a link before we accuse it, ms. */
const REDIAL_WAIT_MS = 3000;
/** Anti-entropy periods a newcomer waits before it may declare anyone dead, unless a first exchange syncs it sooner. */
const NEWCOMER_QUIET_PERIODS = 3;

export interface MemberSnapshot {
  peer: PeerId;
  status: MemberStatus;
  incarnation: number;
  presenceVersion: number;
}

export interface GossipSnapshot {
  selfId: PeerId;
  incarnation: number;
  health: number;
  active: PeerId[];
  passive: PeerId[];
  pending: PeerId[];
  eager: PeerId[];
  lazy: PeerId[];
  /** Broadcast tree: its root, our distance to it, our parent. */
  tree: { root: PeerId; distance: number; parent: PeerId | undefined };
  members: MemberSnapshot[];
  /** Smoothed RTT per neighbour from direct probe acks, ms. */
  rttMs: Record<PeerId, number>;
  stats: EngineStats;
}

export class GossipEngine implements Engine {
  readonly selfId: PeerId;
  private readonly config: GossipConfig;
  private readonly ctx: Context;
  private readonly membership: Membership;
  private readonly overlay: Overlay;
  private readonly broadcast: Broadcast;
  private readonly detector: FailureDetector;
  private readonly antiEntropy: AntiEntropy;
  private readonly routing: Routing;
  private readonly tree: SpanningTree;
  private started = false;
  private stopped = false;
  private announced = false;
  private presenceDirty = false;
  private presenceArmed = false;
  private lastPresenceAt = -Infinity;
  private lastRefuteAt = -Infinity;
  /**
   * Members whose current ALIVE we learnt from themselves (HELLO, WELCOME or
   * their first records): their broadcast announcement is still news to the
   * rest of the room, so it is passed on even though it changes nothing here
   * (see applyGossip).
   */
  private readonly knownFromLink = new Set<PeerId>();
  /** Former neighbours dialed again because relayed pings could not reach them (see `redial`): peer → give-up time. */
  private readonly redialing = new Map<PeerId, number>();
  /** No dead verdicts from us before this time (we are new; our view may be stale). */
  private judgeFrom = Infinity;

  constructor(options: GossipOptions) {
    this.config = resolveConfig(options);
    this.selfId = this.config.selfId;
    this.ctx = new Context(this.config);
    this.membership = new Membership(this.selfId, this.config.initialIncarnation);
    this.broadcast = new Broadcast(this.ctx);
    this.overlay = new Overlay(this.ctx, {
      neighborUp: (peer, first) => this.onNeighborUp(peer, first),
      neighborDown: (peer, graceful) => this.onNeighborDown(peer, graceful),
      heardAlive: (peer, incarnation) => {
        if (this.applyStatus(peer, incarnation, 'alive', peer)) this.knownFromLink.add(peer);
        else this.tellVerdict(peer);
      },
      mayBeAlive: (peer) => {
        const status = this.membership.statusOf(peer);
        return status === undefined || isLive(status);
      },
      livePeers: () => this.membership.livePeers(),
      liveCount: () => this.membership.liveCount,
      selfIncarnation: () => this.membership.self.incarnation,
    });
    this.routing = new Routing(this.ctx, this.overlay.active);
    this.tree = new SpanningTree(this.ctx, {
      neighbors: () => this.overlay.active,
      mayBeAlive: (peer) => this.mayLink(peer),
      changed: () => this.broadcast.setTreeLinks(this.tree.treeLinks(), this.overlay.active),
    });
    this.detector = new FailureDetector(this.ctx, {
      neighbors: () => this.overlay.active,
      isSuspect: (peer) => this.membership.statusOf(peer) === 'suspect',
      liveMembers: () => this.membership.liveCount,
      digestFor: () => (this.config.roomMembership ? this.antiEntropy.takeDigest() : []),
      treeAdvert: () => this.tree.current(),
      relayPing: (helper, target, seq) => this.routing.sendVia(helper, this.selfId, target, { kind: 'ping', seq }),
      probeFailed: (target) => this.accuse(target),
      verifyFailed: (peer) => this.redial(peer),
      suspicionExpired: (peer, incarnation) => this.declareDead(peer, incarnation),
    });
    this.antiEntropy = new AntiEntropy(this.ctx, this.membership);
  }

  handle(input: EngineInput, now: number): EngineOutput[] {
    if (this.stopped) return [];
    this.ctx.now = now;
    this.ctx.out = [];
    switch (input.type) {
      case 'start':
        this.start();
        break;
      case 'discovered':
        this.overlay.discovered(input.peers.filter((peer) => this.mayLink(peer)));
        break;
      case 'link-up':
        // A link only comes up with a live tab at the other end.
        this.redialing.delete(input.peer);
        this.overlay.linkUp(input.peer);
        break;
      case 'link-down': {
        const dialFailed = this.overlay.pending.has(input.peer) && !this.overlay.active.has(input.peer);
        this.overlay.linkDown(input.peer);
        if (!this.overlay.active.has(input.peer)) this.tree.forget(input.peer);
        if (dialFailed) this.dialFailed(input.peer);
        this.checkRedials();
        break;
      }
      case 'receive':
        this.receive(input.from, input.bytes);
        break;
      case 'timer':
        this.onTimer(input.timer);
        break;
      case 'set-presence':
        this.setPresence(input.presence);
        break;
      case 'broadcast':
        if (input.payload.length > this.config.maxPayloadBytes) {
          throw new MurmurError(ErrorCode.BAD_ARGUMENT, `broadcast payload of ${input.payload.length} bytes is over maxPayloadBytes`);
        }
        this.publish({ kind: 'data', payload: input.payload });
        break;
      case 'route':
        this.routeApp(input.to, input.payload);
        break;
      case 'leave':
        this.leave();
        break;
    }
    return this.ctx.out;
  }

  private mayLink(peer: PeerId): boolean {
    const status = this.membership.statusOf(peer);
    return status === undefined || isLive(status);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const { rng, probeIntervalMs, antiEntropyIntervalMs, shuffleIntervalMs, maintainIntervalMs, reconnectIntervalMs } = this.config;
    const now = this.ctx.now;
    // Random phases so a room started at once does not probe in lock step.
    this.ctx.setTimer(PROBE_TIMER, now + rng.next() * probeIntervalMs);
    this.ctx.setTimer(ANTI_ENTROPY_TIMER, now + (0.5 + rng.next()) * antiEntropyIntervalMs);
    this.ctx.setTimer(SHUFFLE_TIMER, now + (0.5 + rng.next()) * shuffleIntervalMs);
    this.ctx.setTimer(MAINTAIN_TIMER, now + maintainIntervalMs);
    this.ctx.setTimer(RECONNECT_TIMER, now + (0.5 + rng.next()) * reconnectIntervalMs);
  }

  private onTimer(timer: string): void {
    switch (timer) {
      case PROBE_TIMER:
        this.detector.onProbeTimer();
        break;
      case PROBE_TIMEOUT_TIMER:
        this.detector.onProbeTimeout();
        break;
      case SUSPICION_TIMER:
        this.detector.onSuspicionTimer();
        break;
      case VERIFY_TIMER:
        this.detector.onVerifyTimer();
        break;
      case IHAVE_TIMER:
        this.broadcast.flushLazy();
        break;
      case GRAFT_TIMER:
        this.broadcast.onGraftTimer();
        break;
      case RESEND_TIMER:
        this.broadcast.onResendTimer();
        break;
      case GOT_TIMER:
        this.broadcast.flushAcks();
        break;
      case ANTI_ENTROPY_TIMER: {
        this.ctx.setTimer(ANTI_ENTROPY_TIMER, this.ctx.now + this.config.antiEntropyIntervalMs);
        // Normally a ping took the digest since the last period; if none did (no probes), send it alone.
        if (!this.config.roomMembership) break;
        if (this.antiEntropy.due) {
          const peer = this.config.rng.pick([...this.overlay.active]);
          if (peer !== undefined) this.antiEntropy.sendDigest(peer);
        }
        this.antiEntropy.due = true;
        break;
      }
      case MAINTAIN_TIMER:
        this.overlay.maintain();
        this.checkRedials();
        this.broadcast.expire();
        break;
      case SHUFFLE_TIMER:
        this.overlay.shuffle();
        break;
      case RECONNECT_TIMER:
        this.reconnect();
        break;
      case PRESENCE_TIMER:
        this.presenceArmed = false;
        if (this.presenceDirty) this.flushPresence();
        break;
    }
  }

  /** Serf's reconnect: occasionally dial a member judged dead, so a healed partition finds its way back. */
  private reconnect(): void {
    this.ctx.setTimer(RECONNECT_TIMER, this.ctx.now + this.config.reconnectIntervalMs);
    const chance = RECONNECTS_PER_PERIOD / (this.membership.liveCount + 1);
    if (this.config.rng.next() >= chance) return;
    const peer = this.config.rng.pick(this.membership.deadPeers());
    if (peer !== undefined) this.overlay.dial(peer, 'forward');
  }

  // ---- receiving -------------------------------------------------------

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
    this.dispatch(from, frame);
    this.detector.heardFrom(from);
  }

  private dispatch(from: PeerId, frame: Frame): void {
    switch (frame.type) {
      case 'hello':
        this.overlay.onHello(from, frame.version, frame.intent, frame.incarnation);
        break;
      case 'welcome':
        this.overlay.onWelcome(from, frame.incarnation);
        break;
      case 'refuse':
        this.overlay.onRefuse(from, frame.peers);
        break;
      case 'disconnect':
        this.overlay.onDisconnect(from);
        break;
      case 'forward-join':
        if (this.mayLink(frame.peer)) this.overlay.onForwardJoin(from, frame.peer, frame.ttl);
        break;
      case 'shuffle':
        this.overlay.onShuffle(from, frame.peers);
        break;
      case 'shuffle-reply':
        this.overlay.integrate(frame.peers);
        break;
      case 'ping':
        if (frame.tree) this.tree.onAdvert(from, frame.tree);
        this.ctx.send(from, { type: 'ack', seq: frame.seq, tree: this.tree.current() });
        this.detector.exchanged(from, true);
        // The flag does not say at which incarnation we are suspected: outrank our current one, unless we
        // refuted within the last period (that refutation is still spreading).
        if (frame.suspected && this.ctx.now - this.lastRefuteAt >= this.config.probeIntervalMs) this.refute(this.membership.self.incarnation);
        if (frame.digest.length > 0) {
          this.antiEntropy.onDigest(from, frame.digest);
          this.synced();
        }
        break;
      case 'ack':
        if (frame.tree) this.tree.onAdvert(from, frame.tree);
        this.detector.onAck(from, frame.seq);
        break;
      case 'gossip': {
        const flooded = isFlooded(frame.bodyBytes);
        // An unrequested push off the tree (not a flooded verdict, not an answer to our GRAFT): the sender thinks we are its child.
        if (!flooded && !this.tree.treeLinks().has(from) && this.overlay.active.has(from) && !this.broadcast.isMissing(frame.origin, frame.seq)) {
          this.tree.refresh(from);
        }
        if (this.broadcast.receive(from, frame.origin, frame.seq, frame.round, frame.bodyBytes)) {
          this.routing.learn(frame.origin, from);
          // A flooded verdict goes out before it is applied: it must reach the accused neighbour (to
          // refute) before the link to it is dropped. Anything else is passed on only if it was news.
          if (flooded) this.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
          const news = this.applyGossip(frame.origin, frame.body);
          if (!flooded && news) this.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
          else if (!news) this.ctx.stats.staleNotRelayed += 1;
        } else {
          this.routing.learn(frame.origin, from, false);
        }
        break;
      }
      case 'ihave':
        if (from === this.tree.parent) this.tree.refresh(from);
        this.broadcast.onIhave(from, frame.entries);
        break;
      case 'graft':
        this.broadcast.onGraft(from, frame.entries);
        break;
      case 'prune':
        this.broadcast.onPrune(from);
        break;
      case 'got':
        this.broadcast.onGot(from, frame.entries);
        break;
      case 'tree':
        this.tree.onAdvert(from, frame);
        break;
      case 'digest':
        this.antiEntropy.onDigest(from, frame.hashes);
        this.synced();
        break;
      case 'records':
        for (const record of frame.records) this.mergeRecord(record, from);
        this.synced();
        if (frame.wantBack) this.antiEntropy.answer(from, frame.bucketCount, frame.buckets, frame.records);
        break;
      case 'route':
        this.onRoute(from, frame.origin, frame.to, frame.ttl, frame.content);
        break;
    }
  }

  private onRoute(from: PeerId, origin: PeerId, to: PeerId, ttl: number, content: RouteContent): void {
    this.routing.learn(origin, from);
    if (to === this.selfId) {
      if (content.kind === 'app') this.ctx.emit({ type: 'routed', from: origin, payload: content.payload });
      else if (content.kind === 'ping') this.routing.send(this.selfId, origin, this.routing.probeTtl, { kind: 'ack', seq: content.seq });
      else this.detector.onAck(origin, content.seq);
      return;
    }
    if (ttl <= 1) return;
    if (this.routing.send(origin, to, ttl - 1, content, from)) return;
    if (content.kind === 'app') this.publish({ kind: 'routed', from: origin, to, payload: content.payload });
  }

  private routeApp(to: PeerId, payload: Uint8Array): void {
    if (payload.length > this.config.maxPayloadBytes) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `routed payload of ${payload.length} bytes is over maxPayloadBytes`);
    }
    if (to === this.selfId) return;
    if (!this.routing.send(this.selfId, to, this.config.routeTtl, { kind: 'app', payload })) {
      this.publish({ kind: 'routed', from: this.selfId, to, payload });
    }
  }

  /**
   * Applies a broadcast message. Returns false when it was stale state (an
   * ALIVE or presence we already held), which is not worth passing on;
   * verdicts, app data and routed payloads always are.
   */
  private applyGossip(origin: PeerId, body: GossipBody): boolean {
    switch (body.kind) {
      case 'alive':
        if (this.applyStatus(origin, body.incarnation, 'alive', origin)) return true;
        // Held already: news to others only if we learnt it from the peer's own handshake.
        return this.knownFromLink.delete(origin);
      case 'suspect':
        this.applyStatus(body.peer, body.incarnation, 'suspect', origin);
        break;
      case 'dead':
        this.applyStatus(body.peer, body.incarnation, 'dead', origin);
        break;
      case 'left':
        this.applyStatus(origin, body.incarnation, 'left', origin);
        break;
      case 'presence':
        return this.applyPresence(origin, body.version, body.presence, body.json);
      case 'data':
        if (origin !== this.selfId) this.ctx.emit({ type: 'deliver', from: origin, payload: body.payload });
        break;
      case 'routed':
        if (body.to === this.selfId) this.ctx.emit({ type: 'routed', from: body.from, payload: body.payload });
        break;
    }
    return true;
  }

  // ---- membership --------------------------------------------------------

  /** Applies news about a member; returns true if it changed our view. */
  private applyStatus(peer: PeerId, incarnation: number, status: MemberStatus, accuser: PeerId, judge = true): boolean {
    if (peer === this.selfId) {
      if (status !== 'alive' && incarnation >= this.membership.self.incarnation) this.refute(incarnation);
      return false;
    }
    const change = this.membership.applyStatus(peer, incarnation, status, this.ctx.now);
    if (!change) {
      const member = this.membership.get(peer);
      if (judge && status === 'suspect' && member?.status === 'suspect' && member.incarnation === incarnation) {
        this.detector.suspect(peer, incarnation, accuser);
      }
      return false;
    }
    this.afterStatusChange(change, accuser, judge);
    return true;
  }

  /** `judge`: run our own suspicion timer (not for suspicions copied from a digest, which may be stale). */
  private afterStatusChange(change: StatusChange, accuser: PeerId, judge = true): void {
    const { member, previous } = change;
    const wasLive = isLive(previous);
    const nowLive = isLive(member.status);
    if (member.status !== 'suspect') this.detector.clearSuspicion(member.peer);
    else if (judge) this.detector.suspect(member.peer, member.incarnation, accuser);
    if (!wasLive && nowLive) this.ctx.emit({ type: 'peer-join', peer: member.peer, presence: member.presence });
    if (wasLive && !nowLive) {
      this.ctx.emit({ type: 'peer-leave', peer: member.peer, reason: member.status === 'left' ? 'left' : 'dead' });
    }
    if (!nowLive) {
      this.knownFromLink.delete(member.peer);
      this.overlay.forget(member.peer);
      if (member.peer === this.tree.root) this.tree.update();
      this.detector.forgetNeighbor(member.peer);
      this.routing.forget(member.peer);
    }
  }

  /** Returns true if the presence was news to us. */
  private applyPresence(peer: PeerId, version: number, presence: Presence, json: string): boolean {
    if (peer === this.selfId) return false;
    let member = this.membership.get(peer);
    if (!member) {
      // Presence from an unknown peer proves it alive; announce it with the presence already in place.
      const change = this.membership.applyStatus(peer, 0, 'alive', this.ctx.now);
      member = change?.member;
      if (!member || !change) return false;
      this.membership.applyPresence(member, version, presence, json);
      this.afterStatusChange(change, peer);
      return true;
    }
    if (!this.membership.applyPresence(member, version, presence, json)) return false;
    if (isLive(member.status)) this.ctx.emit({ type: 'presence', peer, presence });
    return true;
  }

  /**
   * Merges an anti-entropy record. A verdict (suspect/dead) about a member we
   * hold alive becomes a suspicion we spread, not an instant death: after a
   * healed partition both sides hold the other dead, and the accused must hear
   * of it to refute (memberlist's mergeState does the same).
   */
  private mergeRecord(record: MemberRecord, from: PeerId): void {
    if (record.peer === this.selfId) {
      if (record.status !== 'alive' && record.incarnation >= this.membership.self.incarnation) this.refute(record.incarnation);
      return;
    }
    const member = this.membership.get(record.peer);
    const softened = record.status === 'dead' && member !== undefined && isLive(member.status);
    // A suspicion copied from a digest may be long refuted: hold it, but judge only on fresh gossip.
    const changed = this.applyStatus(record.peer, record.incarnation, softened ? 'suspect' : record.status, this.selfId, softened);
    // A newcomer's own record (its first sync with us) races its announcement, which the room still needs.
    if (changed && record.peer === from && record.status === 'alive') this.knownFromLink.add(from);
    // Only a softened verdict needs spreading; a suspicion record's own gossip is already under way.
    if (changed && softened) this.publish({ kind: 'suspect', peer: record.peer, incarnation: record.incarnation });
    if (this.membership.get(record.peer)) this.applyPresence(record.peer, record.presenceVersion, record.presence, record.presenceJson);
  }

  /**
   * A neighbour's digest arrived (we answer with our records wherever it
   * differs, and it sends back whatever it holds newer) or its records did:
   * whatever refutations it knew, we know or are about to. A newcomer may
   * judge from here on instead of waiting out its quiet period.
   */
  private synced(): void {
    if (this.announced) this.judgeFrom = Math.min(this.judgeFrom, this.ctx.now);
  }

  /**
   * A peer we hold dead at its current incarnation says HELLO (or WELCOME):
   * the verdict was false, and it may never have heard it (its neighbours
   * flooded the DEAD, then dropped their links, and a slow tab can miss
   * both). Send it its own record, so it refutes at once instead of
   * staying out of every view it is not linked into.
   */
  private tellVerdict(peer: PeerId): void {
    const member = this.membership.get(peer);
    if (member?.status !== 'dead') return;
    this.ctx.send(peer, { type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records: [member] });
  }

  /**
   * Relayed pings could not reach a former neighbour whose link died without
   * a goodbye. In a sparse mesh a helper often has no route to it, and the
   * likeliest story is still an eviction whose DISCONNECT was lost, so ask the
   * driver for a link instead of accusing: a link that comes up (even one the
   * peer then refuses) proves it alive; a dial that fails makes us accuse.
   * A failed verification is rare, so the extra negotiation is too.
   */
  private redial(peer: PeerId): void {
    if (!isLive(this.membership.statusOf(peer)) || this.overlay.active.has(peer)) return;
    this.redialing.set(peer, this.ctx.now + REDIAL_WAIT_MS);
    this.overlay.dial(peer, 'low');
    this.checkRedials();
  }

  /**
   * A link we asked for to a live member failed before the handshake ended.
   * Nobody may be probing that member: a tab whose links were all in a
   * handshake when it closed (its LEFT lost), or the last other tab when our
   * own last link died, is nobody's neighbour, and probes go to neighbours
   * only. So check it like a neighbour lost without a goodbye: relayed
   * pings, then one redial, then an accusation it can refute if alive.
   */
  private dialFailed(peer: PeerId): void {
    if (this.redialing.has(peer) || !isLive(this.membership.statusOf(peer))) return;
    this.detector.verify(peer, undefined);
  }

  /** Accuses every peer we redialed whose dial failed or has not produced a link in time. */
  private checkRedials(): void {
    for (const [peer, deadline] of this.redialing) {
      const dialing = this.overlay.pending.has(peer) || this.overlay.links.has(peer);
      if (dialing && this.ctx.now < deadline) continue;
      this.redialing.delete(peer);
      this.accuse(peer);
    }
  }

  private accuse(peer: PeerId): void {
    const member = this.membership.get(peer);
    if (!member || !isLive(member.status)) return;
    this.publish({ kind: 'suspect', peer, incarnation: member.incarnation });
  }

  private declareDead(peer: PeerId, incarnation: number): void {
    const member = this.membership.get(peer);
    if (!member || member.status !== 'suspect' || member.incarnation !== incarnation) return;
    if (this.ctx.now < this.judgeFrom) {
      // A newcomer's view is stale until a few anti-entropy rounds have run (it may have missed the
      // refutation): leave the verdict to established members, or judge later.
      this.detector.suspect(peer, incarnation, this.selfId, this.judgeFrom);
      return;
    }
    this.publish({ kind: 'dead', peer, incarnation });
  }

  /**
   * Answers an accusation of ourselves. At our current incarnation (or
   * above) it must be outranked: bump and announce. At an older one our
   * refutation is already out; repeat it at most once a probe period.
   */
  private refute(accusedAt: number): void {
    const self = this.membership.self;
    if (accusedAt < self.incarnation) {
      if (this.ctx.now - this.lastRefuteAt < this.config.probeIntervalMs) return;
    } else {
      this.membership.setSelfIncarnation(accusedAt + 1);
      this.ctx.stats.refutations += 1;
      this.detector.noteRefutation();
    }
    this.lastRefuteAt = this.ctx.now;
    this.publish({ kind: 'alive', incarnation: self.incarnation });
  }

  /** Publishes our own broadcast and applies it locally like any received one. */
  private publish(body: GossipBody): void {
    this.broadcast.publish(encodeGossipBody(body));
    this.applyGossip(this.selfId, body);
  }

  // ---- overlay events --------------------------------------------------------

  private onNeighborUp(peer: PeerId, first: boolean): void {
    this.broadcast.neighborUp(peer);
    this.tree.neighborUp(peer);
    if (first && !this.announced) {
      this.announced = true;
      this.judgeFrom = this.ctx.now + NEWCOMER_QUIET_PERIODS * this.config.antiEntropyIntervalMs;
      // Without room-wide membership a tab is known by what it says and whom it links to.
      if (this.config.roomMembership) this.publish({ kind: 'alive', incarnation: this.membership.self.incarnation });
      if (this.membership.self.presenceVersion > 0) this.flushPresence();
    }
    // Sync at once when we are joining (we know nobody yet) or the link bridges a healed partition
    // (we hold the peer dead); otherwise the periodic exchange suffices, and a full-state transfer
    // on each of a newcomer's ~8 links would cost 8x the membership per join.
    if (!this.config.roomMembership) return;
    if (first || !isLive(this.membership.statusOf(peer))) this.antiEntropy.sendDigest(peer);
  }

  private onNeighborDown(peer: PeerId, graceful: boolean): void {
    const lastHeard = this.detector.heardAt(peer);
    this.broadcast.neighborDown(peer);
    this.tree.neighborDown(peer);
    this.detector.forgetNeighbor(peer);
    // A link that fails without a goodbye may be the first sign of a crashed tab.
    if (!graceful) {
      this.ctx.stats.linkFailures += 1;
      this.detector.verify(peer, lastHeard);
    }
  }

  // ---- app commands --------------------------------------------------------------

  private setPresence(presence: Presence): void {
    const json = JSON.stringify(presence);
    if (utf8Length(json) > this.config.maxPresenceBytes) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `presence JSON is over maxPresenceBytes (${this.config.maxPresenceBytes})`);
    }
    const self = this.membership.self;
    self.presenceVersion += 1;
    self.presence = presence;
    self.presenceJson = json;
    this.membership.setSelfStatus('alive');
    this.presenceDirty = true;
    const due = this.lastPresenceAt + this.config.presenceThrottleMs;
    if (this.ctx.now >= due) this.flushPresence();
    else if (!this.presenceArmed) {
      this.presenceArmed = true;
      this.ctx.setTimer(PRESENCE_TIMER, due);
    }
  }

  private flushPresence(): void {
    this.presenceDirty = false;
    this.lastPresenceAt = this.ctx.now;
    if (!this.announced) return; // the first neighbour triggers the announcement
    const self = this.membership.self;
    this.broadcast.publish(encodeGossipBody({ kind: 'presence', version: self.presenceVersion, presence: self.presence, json: self.presenceJson }));
  }

  private leave(): void {
    const self = this.membership.self;
    this.membership.setSelfStatus('left');
    const bye = encodeGossipBody({ kind: 'left', incarnation: self.incarnation });
    this.broadcast.sendToAll(bye, this.overlay.active);
    for (const peer of this.overlay.links) this.ctx.emit({ type: 'disconnect', peer });
    for (const peer of this.overlay.pending.keys()) if (!this.overlay.links.has(peer)) this.ctx.emit({ type: 'disconnect', peer });
    for (const timer of [PROBE_TIMER, PROBE_TIMEOUT_TIMER, SUSPICION_TIMER, VERIFY_TIMER, IHAVE_TIMER, GOT_TIMER, GRAFT_TIMER, RESEND_TIMER, ANTI_ENTROPY_TIMER, MAINTAIN_TIMER, SHUFFLE_TIMER, RECONNECT_TIMER, PRESENCE_TIMER]) {
      this.ctx.clearTimer(timer);
    }
    this.stopped = true;
  }

  // ---- introspection --------------------------------------------------------------

  snapshot(): GossipSnapshot {
    const members: MemberSnapshot[] = [];
    for (const member of this.membership.members.values()) {
      if (member.peer === this.selfId) continue;
      members.push({ peer: member.peer, status: member.status, incarnation: member.incarnation, presenceVersion: member.presenceVersion });
    }
    return {
      selfId: this.selfId,
      incarnation: this.membership.self.incarnation,
      health: this.detector.health,
      active: [...this.overlay.active],
      passive: [...this.overlay.passive],
      pending: [...this.overlay.pending.keys()],
      eager: [...this.broadcast.eager],
      lazy: [...this.broadcast.lazy],
      tree: { root: this.tree.root, distance: this.tree.distance, parent: this.tree.parent },
      members,
      rttMs: Object.fromEntries(this.detector.rtt),
      stats: { ...this.ctx.stats },
    };
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
