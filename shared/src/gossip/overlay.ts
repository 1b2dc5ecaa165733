/**
 * HyParView (Leitão, Pereira, Rodrigues 2007): a small symmetric active view
 * of open links and a larger passive view of peer ids for repair.
 *
 * Links are WebRTC connections the driver negotiates, so a HyParView request
 * is a link plus a first frame: the side that asked for the link (`connect`)
 * sends HELLO(intent) once it is up; the other side answers WELCOME (it joins
 * both active views) or REFUSE plus `disconnect`. `join`, `forward` and
 * `high` requests are always accepted (evicting a random neighbour if full),
 * `low` only with room, exactly HyParView's JOIN / FORWARDJOIN / NEIGHBOR.
 * Unlike the paper, a node below `maxLinks` keeps trying passive candidates
 * (then any known live member) with back-off, which gives a full mesh while
 * the room is small and a near-regular graph when it is large.
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import { cutVertex } from './link-graph.js';
import { connectBackoffMs } from './maths.js';
import { PROTOCOL_VERSION, type Frame, type HelloIntent } from './wire/frames.js';
import type { Prng } from '../prng.js';
import type { OverlayTimer } from './timers.js';

export type OverlayFrame = Extract<Frame, { type: 'hello' | 'welcome' | 'refuse' | 'disconnect' | 'forward-join' | 'shuffle' | 'shuffle-reply' }>;

export const OVERLAY_FRAMES: ReadonlySet<Frame['type']> = new Set(['hello', 'welcome', 'refuse', 'disconnect', 'forward-join', 'shuffle', 'shuffle-reply']);

/**
 * Maintenance periods a tree root waits, knowing a live member with a
 * smaller id, before it calls the room split and dials across (see
 * Overlay.healSplit). A newcomer with the smallest id becomes everyone's
 * root within a second or two of its first broadcast; a split never does.
 */
export const SPLIT_GRACE_PERIODS = 4;

export class Overlay {
  readonly active = new Set<PeerId>();
  readonly passive: PeerId[] = [];
  /** Links we asked for, waiting for link-up then WELCOME. */
  readonly pending = new Map<PeerId, { intent: HelloIntent; since: number }>();
  /** Links the driver reported up (active, pending, or inbound awaiting HELLO). */
  readonly links = new Set<PeerId>();
  /** Inbound links waiting for the remote's HELLO: peer → when the link came up. */
  private readonly awaitingHello = new Map<PeerId, number>();
  private readonly ctx: Context;
  private readonly rng: Prng;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastMaintainAt = -Infinity;
  /** Since when we have been a tree root that knows a live member with a smaller id (see healSplit). */
  private splitSince: number | undefined;
  /** Since when a neighbour has been a cut vertex between us and the rest of the room, and our stagger (see bridgeCut). */
  private cutSince: number | undefined;
  private cutGrace = 0;

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.rng = ctx.config.rng;
  }

  /** Not known to be dead or departed (unknown peers may be alive). */
  mayBeAlive(peer: PeerId): boolean {
    const status = this.ctx.view.statusOf(peer);
    return status === undefined || status === 'alive' || status === 'suspect';
  }

  /** The overlay's frames. */
  receive(from: PeerId, frame: OverlayFrame): void {
    const { type } = frame;
    if (type === 'hello') return this.onHello(from, frame.version, frame.intent, frame.incarnation);
    if (type === 'welcome') return this.onWelcome(from, frame.incarnation);
    if (type === 'refuse') return this.onRefuse(from, frame.peers);
    if (type === 'disconnect') return this.onDisconnect(from);
    if (type === 'shuffle') return this.onShuffle(from, frame.peers);
    if (type === 'shuffle-reply') return this.integrate(frame.peers);
    if (this.mayBeAlive(frame.peer)) this.onForwardJoin(from, frame.peer, frame.ttl); // forward-join
  }


  onTimer(timer: OverlayTimer): void {
    if (timer === 'maintain') this.maintain();
    else this.shuffle();
  }

  /** Arms the shuffle (random phase) and repair timers. */
  start(): void {
    const config = this.ctx.config;
    this.ctx.resetTimer('shuffle', this.ctx.now + (0.5 + this.rng.next()) * config.overlay.shuffleIntervalMs);
    this.ctx.resetTimer('maintain', this.ctx.now + config.overlay.maintainIntervalMs);
  }

  /** A link to `peer` is up or being negotiated. */
  dialing(peer: PeerId): boolean {
    return this.pending.has(peer) || this.links.has(peer);
  }

  addPassive(peer: PeerId): void {
    if (peer === this.ctx.self || this.active.has(peer) || this.passive.includes(peer)) return;
    if (this.ctx.config.overlay.passiveViewSize === 0) return;
    if (this.passive.length >= this.ctx.config.overlay.passiveViewSize) this.passive.splice(this.rng.int(this.passive.length), 1);
    this.passive.push(peer);
  }

  removePassive(peer: PeerId): void {
    const index = this.passive.indexOf(peer);
    if (index >= 0) this.passive.splice(index, 1);
  }

  /** Forgets a peer judged dead or departed: no link, no repair candidate. */
  forget(peer: PeerId): void {
    this.removePassive(peer);
    // A dial still negotiating is called off too: left running, its link would come up unasked for.
    const dialing = this.pending.delete(peer);
    if (this.active.has(peer)) this.dropNeighbor(peer, true);
    else if (this.links.delete(peer) || dialing) this.ctx.emit({ type: 'disconnect', peer });
  }

  /** Asks the driver for a link to `peer` (HELLO goes out once it is up). */
  dial(peer: PeerId, intent: HelloIntent): void {
    if (this.active.has(peer) || this.pending.has(peer) || peer === this.ctx.self) return;
    this.pending.set(peer, { intent, since: this.ctx.now });
    this.ctx.stats.connectAttempts += 1;
    if (this.links.has(peer)) this.ctx.send(peer, { type: 'hello', version: PROTOCOL_VERSION, intent, incarnation: this.ctx.view.selfIncarnation });
    else this.ctx.emit({ type: 'connect', peer });
  }

  discovered(peers: readonly PeerId[]): void {
    const fresh = peers.filter((peer) => peer !== this.ctx.self && !this.active.has(peer));
    for (const peer of fresh) this.addPassive(peer);
    if (this.active.size === 0 && this.pending.size === 0) {
      for (const peer of this.rng.sample(fresh, this.ctx.config.overlay.joinContacts)) this.dial(peer, 'join');
    }
  }

  /**
   * The server lists `peers` as connected now. A dial of ours to one of them
   * that has been signalling for over a third of pendingTimeoutMs (5 s; a
   * handshake over the mesh takes a second or two) went out while no server was
   * up, over mesh routes that may not reach it, and blocks that pair: the
   * other end's own offer loses the glare to it (seen: every tab's reconnect
   * dial to a tab cut off during an outage held its way back for 15 s, the
   * handshake timeout, after the server returned). Call it off; dial again
   * through the server if the peer may be alive. One we hold dead is left to
   * Liveness.bridge, which dials only a few of those room-wide: a dial from
   * every tab would spread the other side's verdicts before the refutations.
   */
  redialStuck(peers: readonly PeerId[]): void {
    for (const peer of peers) {
      const request = this.pending.get(peer);
      if (request === undefined || this.links.has(peer) || this.ctx.now - request.since <= this.ctx.config.overlay.pendingTimeoutMs / 3) continue;
      this.pending.delete(peer);
      this.ctx.emit({ type: 'disconnect', peer });
      this.ctx.stats.stuckDials += 1;
      if (this.mayBeAlive(peer)) this.dial(peer, request.intent);
    }
  }

  linkUp(peer: PeerId): void {
    this.links.add(peer);
    const request = this.pending.get(peer);
    if (request !== undefined) {
      this.ctx.send(peer, { type: 'hello', version: PROTOCOL_VERSION, intent: request.intent, incarnation: this.ctx.view.selfIncarnation });
    }
    // Otherwise the remote asked: wait for its HELLO (not for ever: see config.overlay.helloWaitMs).
    else if (!this.active.has(peer)) this.awaitingHello.set(peer, this.ctx.now);
  }

  linkDown(peer: PeerId): void {
    this.links.delete(peer);
    this.awaitingHello.delete(peer);
    if (this.pending.delete(peer)) {
      this.noteFailure();
      this.repairIfThin();
    }
    if (this.active.has(peer)) this.dropNeighbor(peer, false, false);
  }

  onHello(from: PeerId, version: number, intent: HelloIntent, incarnation: number): void {
    this.awaitingHello.delete(from);
    if (version !== PROTOCOL_VERSION) {
      this.refuse(from);
      return;
    }
    this.ctx.raise({ type: 'heard-alive', peer: from, incarnation });
    const welcome = (): void => this.ctx.send(from, { type: 'welcome', incarnation: this.ctx.view.selfIncarnation });
    if (this.active.has(from)) {
      welcome();
      return;
    }
    const mustAccept = intent !== 'low' || this.pending.has(from);
    const hasRoom = this.active.size + this.pendingCount() < this.ctx.config.overlay.maxLinks;
    if (!mustAccept && !hasRoom) {
      this.refuse(from);
      return;
    }
    if (this.active.size >= this.ctx.config.overlay.maxLinks) this.evictRandom(from);
    this.pending.delete(from);
    welcome();
    this.addNeighbor(from);
    if (intent === 'join') {
      const others = [...this.active].filter((peer) => peer !== from);
      for (const peer of this.rng.sample(others, this.ctx.config.overlay.forwardJoinFanout)) {
        this.ctx.send(peer, { type: 'forward-join', peer: from, ttl: this.ctx.config.overlay.forwardJoinTtl });
      }
    }
  }

  private pendingCount(): number {
    let n = 0;
    for (const peer of this.pending.keys()) if (this.links.has(peer)) n += 1;
    return n;
  }

  private refuse(peer: PeerId): void {
    this.ctx.stats.refusals += 1;
    this.ctx.send(peer, { type: 'refuse', peers: this.rng.sample(this.passive, 4) });
    this.closeLink(peer);
    this.addPassive(peer);
  }

  /** Forgets the link to `peer` and tells the driver to close it. */
  private closeLink(peer: PeerId): void {
    this.links.delete(peer);
    this.awaitingHello.delete(peer);
    this.ctx.emit({ type: 'disconnect', peer });
  }

  /**
   * Protocol traffic (pings, gossip) from a peer whose WELCOME we have not
   * seen: only an accepting neighbour sends it, so the WELCOME was lost.
   */
  impliedWelcome(from: PeerId): void {
    if (this.pending.has(from) && this.links.has(from)) this.onWelcome(from, undefined);
  }

  onWelcome(from: PeerId, incarnation: number | undefined): void {
    if (incarnation !== undefined) this.ctx.raise({ type: 'heard-alive', peer: from, incarnation });
    if (!this.pending.delete(from) || this.active.has(from)) return;
    if (this.active.size >= this.ctx.config.overlay.maxLinks) this.evictRandom(from);
    this.failures = 0;
    this.addNeighbor(from);
  }

  onRefuse(from: PeerId, peers: readonly PeerId[]): void {
    this.pending.delete(from);
    if (this.active.has(from)) this.dropNeighbor(from, true, false);
    this.closeLink(from);
    this.addPassive(from);
    for (const peer of peers) if (this.mayBeAlive(peer)) this.addPassive(peer);
    this.noteFailure();
    this.repairIfThin();
  }

  onDisconnect(from: PeerId): void {
    if (this.active.has(from)) this.dropNeighbor(from, true, false);
    this.closeLink(from);
    this.addPassive(from);
  }

  onForwardJoin(from: PeerId, peer: PeerId, ttl: number): void {
    if (peer === this.ctx.self) return;
    if (ttl === 0 || this.active.size <= 1) {
      this.dial(peer, 'forward');
      return;
    }
    if (ttl === this.ctx.config.overlay.passiveJoinTtl) this.addPassive(peer);
    const next = this.rng.pick([...this.active].filter((p) => p !== from && p !== peer));
    if (next === undefined) this.dial(peer, 'forward');
    else this.ctx.send(next, { type: 'forward-join', peer, ttl: ttl - 1 });
  }

  private addNeighbor(peer: PeerId): void {
    const first = this.active.size === 0;
    this.active.add(peer);
    this.removePassive(peer);
    this.ctx.raise({ type: 'neighbor-up', peer, first });
  }

  /**
   * Makes room for `except`. HyParView picks at random; we pick among the
   * neighbours known to hold another link if any: a victim whose only link
   * was ours is cut off, and with the signaling server down nothing brings
   * it back (issue 12: three evictions within 200 ms isolated a tab).
   */
  private evictRandom(except: PeerId): void {
    const others = [...this.active].filter((p) => p !== except);
    const safe = others.filter((p) => this.ctx.view.linkedElsewhere(p));
    const victim = this.rng.pick(safe.length > 0 ? safe : others);
    if (victim === undefined) return;
    // Twice: a lost goodbye makes the victim check us over relayed pings, and an accusation if those
    // fail costs two room-wide broadcasts; a second one-byte frame is far cheaper.
    this.ctx.send(victim, { type: 'disconnect' });
    this.ctx.send(victim, { type: 'disconnect' });
    this.dropNeighbor(victim, true);
    this.addPassive(victim);
  }

  /** Removes a neighbour; `close` also tells the driver to close the link. */
  dropNeighbor(peer: PeerId, graceful: boolean, close = true): void {
    if (!this.active.delete(peer)) return;
    if (close && this.links.delete(peer)) this.ctx.emit({ type: 'disconnect', peer });
    this.ctx.raise({ type: 'neighbor-down', peer, graceful });
    this.repairIfThin();
  }

  /** Below the floor of min(2, live others) links, repair now rather than at the next period: the next departure may be seconds away. */
  private repairIfThin(): void {
    if (this.active.size >= Math.min(2, this.ctx.view.liveCount)) return;
    // At most four early rounds a period: a tab with no path for its signals fails each dial at once.
    const at = Math.max(this.ctx.now, this.lastMaintainAt + this.ctx.config.overlay.maintainIntervalMs / 4);
    this.ctx.resetTimer('maintain', at);
  }

  private noteFailure(): void {
    this.failures += 1;
    this.nextAttemptAt = this.ctx.now + connectBackoffMs(this.failures, this.ctx.config.overlay.maintainIntervalMs, this.ctx.config.overlay.maxConnectBackoffMs);
  }

  /** Neither a neighbour nor being dialled. */
  private unlinked(peer: PeerId): boolean {
    return !this.active.has(peer) && !this.pending.has(peer);
  }

  /** Members held alive (not suspect) that we neither link to nor dial: who split and cut repair may dial. */
  private unlinkedAlive(): PeerId[] {
    return this.ctx.view.livePeers().filter((peer) => this.ctx.view.statusOf(peer) === 'alive' && this.unlinked(peer));
  }

  /** Periodic repair: below maxLinks, try one candidate (passive view first). */
  maintain(): void {
    const config = this.ctx.config;
    this.lastMaintainAt = this.ctx.now;
    this.ctx.resetTimer('maintain', this.ctx.now + config.overlay.maintainIntervalMs);
    for (const [peer, request] of this.pending) {
      // A lost HELLO (or WELCOME) would leave the request hanging: repeat it; a repeat is answered idempotently.
      if (this.links.has(peer) && this.ctx.now - request.since > config.overlay.maintainIntervalMs) {
        this.ctx.send(peer, { type: 'hello', version: PROTOCOL_VERSION, intent: request.intent, incarnation: this.ctx.view.selfIncarnation });
      }
      // Drivers report a failed negotiation as link-down; this covers one that never answers.
      if (this.ctx.now - request.since > config.overlay.pendingTimeoutMs) {
        this.pending.delete(peer);
        this.closeLink(peer);
        this.noteFailure();
      }
    }
    for (const [peer, since] of this.awaitingHello) {
      if (this.active.has(peer) || this.pending.has(peer) || !this.links.has(peer)) this.awaitingHello.delete(peer);
      else if (this.ctx.now - since > config.overlay.helloWaitMs) this.closeLink(peer);
    }
    this.healSplit();
    this.bridgeCut();
    // Below the floor of min(2, live others) links one more crash could cut us off: repair at once, one
    // dial per missing link, past the back-off, from members known alive before passive ids.
    // A dial older than a period is likely stuck (its signals went through a tab that just crashed, and the
    // driver gives up only after its handshake timeout): below the floor, try another one alongside.
    const floor = Math.min(2, this.ctx.view.liveCount);
    const urgent = this.active.size < floor;
    let recent = 0;
    for (const request of this.pending.values()) if (this.ctx.now - request.since < config.overlay.maintainIntervalMs) recent += 1;
    if (urgent ? this.active.size + recent >= floor : this.pending.size > 0 || this.ctx.now < this.nextAttemptAt) return;
    // Full mesh while the room fits in maxLinks + 1; otherwise seek only up to targetLinks, because every
    // attempt is a WebRTC negotiation and a tab gets ~500 of them in its life.
    const fullMesh = config.roomMembership && this.ctx.view.liveCount <= config.overlay.maxLinks;
    if (this.active.size >= (fullMesh ? config.overlay.maxLinks : config.overlay.targetLinks)) return;
    const fresh = (peer: PeerId): boolean => this.unlinked(peer);
    const live = (): PeerId[] => this.ctx.view.livePeers().filter(fresh);
    let candidates = urgent ? live() : this.passive.filter((peer) => this.mayBeAlive(peer) && fresh(peer));
    if (candidates.length === 0) candidates = urgent ? this.passive.filter((peer) => this.mayBeAlive(peer) && fresh(peer)) : live();
    const peer = this.rng.pick(candidates);
    if (peer === undefined) return;
    // A thin tab asks politely first (no eviction, which could leave the evicted one thin in turn); after a
    // refusal it insists, as HyParView's high-priority NEIGHBOR does.
    this.dial(peer, this.active.size === 0 || (urgent && this.failures > 0) ? 'high' : 'low');
  }

  /**
   * HyParView keeps a link graph connected only in expectation: evictions can
   * leave two cliques that are each full and never dial out (seen with 8 tabs
   * at maxLinks 3: two K4s, the server up, membership whole). Each part's tree
   * root is the smallest live id in that part, so a root that knows a live
   * member with a smaller id is not in that member's part. After a grace (a
   * newcomer's tree spreads within it), the root, and only it, dials one such
   * member with high priority, which a full peer accepts. It fails at once when
   * no path carries its signals (the server down and no link across), under
   * the usual back-off.
   */
  private healSplit(): void {
    const self = this.ctx.self;
    if (this.ctx.view.treeRoot !== self) {
      this.splitSince = undefined;
      return;
    }
    const across = this.unlinkedAlive().filter((peer) => peer < self);
    if (across.length === 0) {
      this.splitSince = undefined;
      return;
    }
    this.splitSince ??= this.ctx.now;
    if (this.ctx.now - this.splitSince < SPLIT_GRACE_PERIODS * this.ctx.config.overlay.maintainIntervalMs || this.ctx.now < this.nextAttemptAt) return;
    this.splitSince = this.ctx.now;
    this.ctx.stats.splitDials += 1;
    this.dial(this.rng.pick(across) as PeerId, 'high');
  }

  /**
   * Issue 12: "prefer a replacement that removes a single point of failure".
   * From each neighbour's list of neighbours (its TREE frames) we see two
   * hops of the link graph. If for some neighbour `hub` our other neighbours
   * link only among us and to `hub`, then we and they reach the room through
   * `hub` alone, and its crash would cut us off with the server down (seen:
   * two tabs at 2 links each, hanging on a third, every other tab full). A
   * member of that group dials someone beyond the hub, with high priority
   * because everyone else may be full. Each member that sees the cut waits a
   * random 1 to 3 periods first; the first link made shows up in the others'
   * lists and calls theirs off.
   */
  private bridgeCut(): void {
    const hub = cutVertex(this.ctx.self, this.active, this.ctx.view.liveCount, (peer) => this.ctx.view.neighborsOf(peer));
    if (hub === undefined) {
      this.cutSince = undefined;
      return;
    }
    const period = this.ctx.config.overlay.maintainIntervalMs;
    if (this.cutSince === undefined) {
      this.cutSince = this.ctx.now;
      this.cutGrace = (1 + 2 * this.rng.next()) * period;
    }
    if (this.ctx.now - this.cutSince < this.cutGrace || this.pending.size > 0 || this.ctx.now < this.nextAttemptAt) return;
    const hubList = this.ctx.view.neighborsOf(hub);
    const beyond = this.unlinkedAlive().filter((peer) => peer !== hub);
    const outside = beyond.filter((peer) => !hubList?.has(peer));
    const peer = this.rng.pick(outside.length > 0 ? outside : beyond);
    if (peer === undefined) return;
    this.cutSince = this.ctx.now;
    this.ctx.stats.cutDials += 1;
    this.dial(peer, 'high');
  }

  shuffle(): void {
    this.ctx.resetTimer('shuffle', this.ctx.now + this.ctx.config.overlay.shuffleIntervalMs);
    const target = this.rng.pick([...this.active]);
    if (target === undefined) return;
    const peers = [this.ctx.self, ...this.rng.sample([...this.active].filter((p) => p !== target), 3), ...this.rng.sample(this.passive, 4)];
    this.ctx.send(target, { type: 'shuffle', peers });
  }

  onShuffle(from: PeerId, peers: readonly PeerId[]): void {
    this.ctx.send(from, { type: 'shuffle-reply', peers: this.rng.sample(this.passive, peers.length) });
    this.integrate(peers);
  }

  integrate(peers: readonly PeerId[]): void {
    for (const peer of peers) if (this.mayBeAlive(peer)) this.addPassive(peer);
  }

  /** Test-only: what must always hold. */
  checkInvariants(): string | undefined {
    if (this.active.size > this.ctx.config.overlay.maxLinks) return `${this.active.size} neighbours, over maxLinks`;
    if (this.passive.length > this.ctx.config.overlay.passiveViewSize) return `passive view of ${this.passive.length}`;
    if (this.active.has(this.ctx.self) || this.passive.includes(this.ctx.self) || this.pending.has(this.ctx.self)) return 'self in a view';
    for (const peer of this.passive) if (this.active.has(peer)) return `${peer} both active and passive`;
    for (const peer of this.pending.keys()) if (this.active.has(peer)) return `${peer} both active and pending`;
    if (new Set(this.passive).size !== this.passive.length) return 'passive view holds a peer twice';
    return undefined;
  }
}
