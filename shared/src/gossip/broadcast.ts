/**
 * Plumtree (Leitão, Pereira, Rodrigues 2007): epidemic broadcast trees,
 * with two changes measured in the simulator.
 *
 * Payloads go eagerly along the tree links (parent and children in the
 * breadth-first tree of spanning-tree.ts, not Plumtree's first-arrival
 * pruning, whose shared tree grows paths like √N); the other links get only
 * ids (IHAVE, batched). A payload announced but not received in time is
 * pulled (GRAFT). Messages are de-duplicated by id = (origin, sequence).
 *
 * Tree links are made reliable hop by hop: the receiver acknowledges payloads
 * (GOT, batched for ackFlushMs) and the sender retransmits twice
 * before giving up. Without this, one lost copy leaves a whole subtree
 * missing, every node of which pulls on its own and then receives its
 * parent's late copy too: at 10% loss that cascade cost ~0.8 extra copies per
 * peer (RMR). The pull stays as the backstop for a parent that died.
 *
 * Verdicts (DEAD, LEFT) are flooded instead: pushed on every link, never
 * acknowledged. They are a few bytes, the size of the IHAVE entry they would
 * otherwise cost on each lazy link, and the first copy to arrive comes over
 * the fastest of several paths, so one lost frame does not hold a departed
 * tab in some views for a retransmission or a pull.
 *
 * Our own refutation is pushed on every one of our links (lazy ones too),
 * then travels as usual: the suspect's neighbours are its accusers, and an
 * IHAVE lost, or a tree parent that left before passing it on, let their
 * verdict stand (issue 12: a false DEAD that split a 4-tab room). Flooding
 * it room-wide instead cost ~6 frames per member per refutation at N=1,000.
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import type { BroadcastTimer } from './timers.js';
import { BodyKind } from './wire/gossip-body.js';
import { encodeGossipFrame, type GossipId } from './wire/frames.js';

interface Cached {
  origin: PeerId;
  seq: number;
  /** Hops this copy took to reach us (0 for our own). */
  round: number;
  bodyBytes: Uint8Array;
  at: number;
  /** Copies served in answer to GRAFTs, per asking neighbour (see GRAFT_SERVES). */
  served?: Map<PeerId, number>;
}

/**
 * Copies of one message served to one neighbour's GRAFTs, at most (gossipsub
 * serves an id at most 3 times per peer too). An honest neighbour grafts an
 * id once, and again only if that copy was lost (graftRetryMs later); a GRAFT
 * naming one id 4,096 times made one handle() call send 4,096 copies (issue 13).
 */
export const GRAFT_SERVES = 3;

interface Unacked {
  peer: PeerId;
  key: string;
  resends: number;
  deadline: number;
  /** Acknowledged, given up, or the link went down. */
  done: boolean;
}

interface Missing {
  origin: PeerId;
  seq: number;
  /** Neighbours that announced the id, oldest first. */
  sources: PeerId[];
  deadline: number;
}

/** Bodies pushed on every link rather than along the tree (see above). */
export function isFlooded(bodyBytes: Uint8Array): boolean {
  const kind = bodyBytes[0];
  return kind === BodyKind.DEAD || kind === BodyKind.LEFT;
}

/**
 * Our sequence numbers start at initialIncarnation × SEQ_PER_SECOND. The
 * client passes wall-clock seconds as the first incarnation, so a tab that
 * reloads under the same id starts above every sequence number its former
 * session could have sent (2^21 a second of that session's life), and the
 * replay floor below never refuses the new session's messages. 2^32 − 1
 * (the largest incarnation) × 2^21 stays below 2^53.
 */
export const SEQ_PER_SECOND = 2 ** 21;

/**
 * Origins whose replay floor is kept, at most; past it the oldest goes (its
 * old messages could then be replayed once more: a bound on memory against
 * a flood of made-up origins, far above any room's members).
 */
export const MAX_FLOORS = 8192;

export function messageKey(origin: PeerId, seq: number): string {
  return `${origin}\u0000${seq}`;
}

export class Broadcast {
  readonly eager = new Set<PeerId>();
  readonly lazy = new Set<PeerId>();
  private readonly ctx: Context;
  /** Seen ids → time first seen; insertion order is time order (for expiry). */
  private readonly seen = new Map<string, number>();
  private readonly cache = new Map<string, Cached>();
  private readonly missing = new Map<string, Missing>();
  private readonly lazyQueue = new Map<PeerId, Array<GossipId & { round: number }>>();
  private readonly ackQueue = new Map<PeerId, GossipId[]>();
  /** Payloads pushed on tree links and not yet acknowledged: message key → peer → entry. */
  private readonly unacked = new Map<string, Map<PeerId, Unacked>>();
  /** The same entries in deadline order (each is (re)appended at now + ackTimeoutMs); `done` ones are skipped. */
  private resendQueue: Unacked[] = [];
  private resendHead = 0;
  private seq: number;
  /**
   * Per origin, the largest sequence number whose id left `seen`: a message at
   * or below it is a replay (or too late to matter) and is refused, not
   * delivered twice (issue 13: a genuine DATA replayed 75 s later was).
   */
  private readonly floors = new Map<PeerId, number>();
  /** Our last few messages, announced to new neighbours. */
  private ownRecent: Array<{ seq: number; at: number }> = [];
  /** The last few app messages (DATA) from others, announced to new neighbours too (see neighborUp). */
  private readonly dataRecent: Array<GossipId & { round: number; at: number }> = [];
  /** The last key built: a GOSSIP frame asks for its id's key up to three times (receive, relay, isMissing). */
  private lastOrigin = '';
  private lastSeq = -1;
  private lastKey = '';

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.seq = ctx.config.initialIncarnation * SEQ_PER_SECOND;
  }

  private keyOf(origin: PeerId, seq: number): string {
    if (origin !== this.lastOrigin || seq !== this.lastSeq) {
      this.lastOrigin = origin;
      this.lastSeq = seq;
      this.lastKey = messageKey(origin, seq);
    }
    return this.lastKey;
  }

  onTimer(timer: BroadcastTimer): void {
    if (timer === 'ihave') this.flushLazy();
    else if (timer === 'got') this.flushAcks();
    else if (timer === 'graft') this.onGraftTimer();
    else this.onResendTimer();
  }

  /** A new active link: lazy until the spanning tree makes it a tree link. */
  neighborUp(peer: PeerId): void {
    this.eager.delete(peer);
    this.lazy.add(peer);
    // Announce our own recent messages on the new link: a newcomer's first announcement went out on
    // a single link, and one lost frame would otherwise leave it to anti-entropy.
    // And the app messages of others that passed lately: a tab whose link came up just before its HELLO
    // was answered (a lost HELLO is repeated a period later) saw them go by before it was our neighbour,
    // and nothing else would bring them (anti-entropy covers membership, not app messages). Seen at N=300
    // right after a server outage: a newcomer missed an update published 2 s after its first link.
    const since = this.ctx.now - this.ctx.config.broadcast.ownCatchUpMs;
    const entries = this.ownRecent.filter((entry) => entry.at >= since).map((entry) => ({ origin: this.ctx.self, seq: entry.seq, round: 1 }));
    for (const entry of this.dataRecent) if (entry.at >= since && entry.origin !== peer) entries.push({ origin: entry.origin, seq: entry.seq, round: entry.round + 1 });
    if (entries.length > 0) this.ctx.send(peer, { type: 'ihave', entries });
  }

  neighborDown(peer: PeerId): void {
    this.eager.delete(peer);
    this.lazy.delete(peer);
    this.lazyQueue.delete(peer);
    this.ackQueue.delete(peer);
    for (const key of this.unacked.keys()) this.settle(key, peer);
    for (const entry of this.missing.values()) {
      const index = entry.sources.indexOf(peer);
      if (index >= 0) entry.sources.splice(index, 1);
    }
  }

  /** The spanning tree changed: tree links push payloads, the other neighbours get IHAVEs. */
  /** Broadcast ids remembered (for EngineSizes). */
  get seenCount(): number {
    return this.seen.size;
  }

  setTreeLinks(tree: ReadonlySet<PeerId>, neighbors: ReadonlySet<PeerId>): void {
    this.eager.clear();
    this.lazy.clear();
    for (const peer of neighbors) (tree.has(peer) ? this.eager : this.lazy).add(peer);
  }

  /** The sequence number our next message will get (what a signature over its id must name). */
  get nextSeq(): number {
    return this.seq + 1;
  }

  /** Whether a message with this id was accepted already (or is our own), or is older than what we still remember. */
  has(origin: PeerId, seq: number): boolean {
    return this.seen.has(this.keyOf(origin, seq)) || this.belowFloor(origin, seq);
  }

  private belowFloor(origin: PeerId, seq: number): boolean {
    const floor = this.floors.get(origin);
    return floor !== undefined && seq <= floor;
  }

  /** Publishes our own message; returns its id. `pushAll`: push it on the lazy links too (see above). */
  publish(bodyBytes: Uint8Array, pushAll = false): GossipId {
    this.seq += 1;
    const id = { origin: this.ctx.self, seq: this.seq };
    const key = this.keyOf(id.origin, id.seq);
    this.seen.set(key, this.ctx.now);
    this.cache.set(key, { ...id, round: 0, bodyBytes, at: this.ctx.now });
    this.ownRecent.push({ seq: id.seq, at: this.ctx.now });
    if (this.ownRecent.length > this.ctx.config.broadcast.ownRecent) this.ownRecent = this.ownRecent.slice(-this.ctx.config.broadcast.ownRecent);
    if (pushAll && this.lazy.size > 0 && !isFlooded(bodyBytes)) {
      const frame = encodeGossipFrame(id.origin, id.seq, 1, bodyBytes);
      const deadline = this.ctx.now + this.ctx.config.broadcast.ackTimeoutMs;
      for (const peer of this.lazy) {
        this.ctx.sendBytes(peer, frame);
        this.track(key, peer, deadline);
      }
      this.armResend(deadline);
    }
    this.relay(undefined, id.origin, id.seq, 0, bodyBytes, pushAll);
    return id;
  }

  /** Sends our own message to every neighbour at once, eager or lazy (graceful leave). */
  sendToAll(bodyBytes: Uint8Array, neighbours: Iterable<PeerId>): void {
    this.seq += 1;
    const frame = encodeGossipFrame(this.ctx.self, this.seq, 1, bodyBytes);
    for (const peer of neighbours) this.ctx.sendBytes(peer, frame);
  }

  /**
   * A GOSSIP frame arrived. Returns true if the message is new: the caller
   * applies it, then passes it on with `relay` unless it was stale.
   */
  receive(from: PeerId, origin: PeerId, seq: number, round: number, bodyBytes: Uint8Array): boolean {
    const key = this.keyOf(origin, seq);
    if (!isFlooded(bodyBytes)) this.queueAck(from, origin, seq);
    if (this.seen.has(key) || round > this.ctx.config.broadcast.maxRounds) {
      this.ctx.stats.duplicates += 1;
      return false;
    }
    if (this.belowFloor(origin, seq)) {
      this.ctx.stats.replaysRefused += 1;
      return false;
    }
    this.seen.set(key, this.ctx.now);
    this.cache.set(key, { origin, seq, round, bodyBytes, at: this.ctx.now });
    this.missing.delete(key);
    if (bodyBytes[0] === BodyKind.DATA && this.ctx.config.broadcast.dataRecent > 0) {
      this.dataRecent.push({ origin, seq, round, at: this.ctx.now });
      if (this.dataRecent.length > this.ctx.config.broadcast.dataRecent) this.dataRecent.shift(); // on every DATA received: no copy
    }
    return true;
  }

  private queueAck(peer: PeerId, origin: PeerId, seq: number): void {
    let queue = this.ackQueue.get(peer);
    if (!queue) {
      queue = [];
      this.ackQueue.set(peer, queue);
    }
    queue.push({ origin, seq });
    this.ctx.setTimer('got', this.ctx.now + this.ctx.config.broadcast.ackFlushMs);
  }

  flushAcks(): void {
    const batch = this.ctx.config.broadcast.ihaveBatch;
    for (const [peer, entries] of this.ackQueue) {
      for (let i = 0; i < entries.length; i += batch) this.ctx.send(peer, { type: 'got', entries: entries.slice(i, i + batch) });
    }
    this.ackQueue.clear();
  }

  private armFlush(): void {
    this.ctx.setTimer('ihave', this.ctx.now + this.ctx.config.broadcast.lazyFlushMs);
  }

  onGot(from: PeerId, entries: readonly GossipId[]): void {
    for (const entry of entries) this.settle(this.keyOf(entry.origin, entry.seq), from);
  }

  /** Waits for `peer` to acknowledge `key` by `deadline` (replacing any earlier wait). */
  private track(key: string, peer: PeerId, deadline: number): void {
    this.settle(key, peer);
    let byPeer = this.unacked.get(key);
    if (byPeer === undefined) {
      byPeer = new Map();
      this.unacked.set(key, byPeer);
    }
    const entry: Unacked = { peer, key, resends: 0, deadline, done: false };
    byPeer.set(peer, entry);
    this.resendQueue.push(entry);
  }

  /** Drops the unacknowledged entry for `key` on `peer`, if any. */
  private settle(key: string, peer: PeerId): void {
    const byPeer = this.unacked.get(key);
    const entry = byPeer?.get(peer);
    if (byPeer === undefined || entry === undefined) return;
    entry.done = true;
    byPeer.delete(peer);
    if (byPeer.size === 0) this.unacked.delete(key);
  }

  onResendTimer(): void {
    const now = this.ctx.now;
    const queue = this.resendQueue;
    // Entries sit in deadline order: stop at the first not due.
    while (this.resendHead < queue.length) {
      const entry = queue[this.resendHead] as Unacked;
      if (entry.done) {
        this.resendHead += 1;
        continue;
      }
      if (entry.deadline > now) {
        this.armResend(entry.deadline);
        break;
      }
      this.resendHead += 1;
      const cached = this.cache.get(entry.key);
      if (!cached || entry.resends >= this.ctx.config.broadcast.maxResends || !this.eager.has(entry.peer)) {
        this.settle(entry.key, entry.peer);
        continue;
      }
      entry.resends += 1;
      this.ctx.stats.resends += 1;
      entry.deadline = now + this.ctx.config.broadcast.ackTimeoutMs;
      queue.push(entry);
      this.ctx.sendBytes(entry.peer, encodeGossipFrame(cached.origin, cached.seq, cached.round + 1, cached.bodyBytes));
    }
    if (this.resendHead > 1024 && this.resendHead * 2 > queue.length) {
      this.resendQueue = queue.slice(this.resendHead);
      this.resendHead = 0;
    }
  }

  private armResend(at: number): void {
    this.ctx.setTimer('resend', at);
  }

  /** Announced to us and not yet received (a copy arriving now most likely answers our GRAFT). */
  isMissing(origin: PeerId, seq: number): boolean {
    return this.missing.has(this.keyOf(origin, seq));
  }

  /**
   * Passes on a message, our own (`from` undefined) or one `receive`
   * accepted: pushed on tree links, announced on the others. The engine skips this for state we already held (an
   * ALIVE or presence version learnt from anti-entropy first): in a join
   * burst, each newcomer otherwise received the announcements of everyone
   * who joined before it, pulled them as new and passed them on to the
   * newcomers after it, which at N=1,000 was a third of all frames. Whoever
   * still lacks the message gets it from a neighbour that found it new (an
   * IHAVE, then a pull), or from anti-entropy.
   */
  relay(from: PeerId | undefined, origin: PeerId, seq: number, round: number, bodyBytes: Uint8Array, pushedAll = false): void {
    if (isFlooded(bodyBytes)) {
      const frame = encodeGossipFrame(origin, seq, round + 1, bodyBytes);
      for (const peer of this.eager) if (peer !== from) this.ctx.sendBytes(peer, frame);
      for (const peer of this.lazy) if (peer !== from) this.ctx.sendBytes(peer, frame);
      return;
    }
    if (this.eager.size > (from !== undefined && this.eager.has(from) ? 1 : 0)) {
      const frame = encodeGossipFrame(origin, seq, round + 1, bodyBytes);
      const key = this.keyOf(origin, seq);
      const deadline = this.ctx.now + this.ctx.config.broadcast.ackTimeoutMs;
      for (const peer of this.eager) {
        if (peer === from) continue;
        this.ctx.sendBytes(peer, frame);
        this.track(key, peer, deadline);
      }
      this.armResend(deadline);
    }
    if (pushedAll) return;
    const entry = { origin, seq, round: round + 1 }; // shared by every lazy link's queue (read-only)
    for (const peer of this.lazy) {
      if (peer === from) continue;
      let queue = this.lazyQueue.get(peer);
      if (!queue) {
        queue = [];
        this.lazyQueue.set(peer, queue);
      }
      queue.push(entry);
    }
    if (this.lazyQueue.size > 0) this.armFlush();
  }

  flushLazy(): void {
    const batch = this.ctx.config.broadcast.ihaveBatch;
    for (const [peer, entries] of this.lazyQueue) {
      for (let i = 0; i < entries.length; i += batch) {
        this.ctx.send(peer, { type: 'ihave', entries: entries.slice(i, i + batch) });
      }
    }
    this.lazyQueue.clear();
  }

  onIhave(from: PeerId, entries: ReadonlyArray<GossipId & { round: number }>): void {
    for (const entry of entries) {
      if (entry.round > this.ctx.config.broadcast.maxRounds) continue;
      const key = this.keyOf(entry.origin, entry.seq);
      if (this.seen.has(key)) continue;
      let missing = this.missing.get(key);
      if (!missing) {
        missing = { origin: entry.origin, seq: entry.seq, sources: [], deadline: this.ctx.now + this.ctx.config.broadcast.graftTimeoutMs };
        this.missing.set(key, missing);
        this.armGraft(missing.deadline);
      }
      if (!missing.sources.includes(from)) missing.sources.push(from);
    }
  }

  private armGraft(at: number): void {
    this.ctx.setTimer('graft', at);
  }

  onGraftTimer(): void {
    const now = this.ctx.now;
    const grafts = new Map<PeerId, GossipId[]>();
    // Entries sit in (nearly) deadline order: new ones at now + graftTimeoutMs, retried ones re-inserted
    // at now + graftRetryMs. Stopping at the first not due may delay a retry by at most the difference.
    for (const [key, missing] of this.missing) {
      if (missing.deadline > now) {
        this.armGraft(missing.deadline);
        break;
      }
      this.missing.delete(key);
      const source = missing.sources.shift();
      if (source === undefined) continue;
      let list = grafts.get(source);
      if (!list) {
        list = [];
        grafts.set(source, list);
      }
      list.push({ origin: missing.origin, seq: missing.seq });
      missing.deadline = now + this.ctx.config.broadcast.graftRetryMs;
      this.missing.set(key, missing);
      this.armGraft(missing.deadline);
    }
    // A pull does not change the tree (the spanning tree owns it): a lost copy is not a bad link.
    for (const [peer, entries] of grafts) this.ctx.send(peer, { type: 'graft', entries });
  }

  onGraft(from: PeerId, entries: readonly GossipId[]): void {
    for (const entry of entries) {
      const cached = this.cache.get(this.keyOf(entry.origin, entry.seq));
      if (!cached) continue;
      cached.served ??= new Map();
      const served = cached.served.get(from) ?? 0;
      if (served >= GRAFT_SERVES) {
        this.ctx.stats.graftsRefused += 1;
        continue;
      }
      cached.served.set(from, served + 1);
      this.ctx.stats.pullsServed += 1;
      this.ctx.sendBytes(from, encodeGossipFrame(cached.origin, cached.seq, cached.round + 1, cached.bodyBytes));
    }
  }

  /** Forgets ids and payloads older than the message TTL. */
  expire(): void {
    const horizon = this.ctx.now - this.ctx.config.broadcast.messageTtlMs;
    for (const [key, at] of this.seen) {
      if (at > horizon) break;
      this.seen.delete(key);
      this.raiseFloor(key);
    }
    // Payloads are only needed for retransmissions and pulls, which happen within seconds.
    const cacheHorizon = this.ctx.now - Math.min(this.ctx.config.broadcast.messageTtlMs, this.ctx.config.broadcast.payloadCacheMs);
    for (const [key, cached] of this.cache) {
      if (cached.at > cacheHorizon) break;
      this.cache.delete(key);
    }
  }

  /** An id left `seen`: nothing at or below its seq from that origin is taken again. */
  private raiseFloor(key: string): void {
    const cut = key.lastIndexOf('\u0000');
    const origin = key.slice(0, cut);
    const seq = Number(key.slice(cut + 1));
    if (origin === this.ctx.self) return;
    const floor = this.floors.get(origin);
    if (floor !== undefined && floor >= seq) return;
    this.floors.delete(origin); // re-inserted last: the map's order is the order floors last rose
    this.floors.set(origin, seq);
    if (this.floors.size > MAX_FLOORS) this.floors.delete(this.floors.keys().next().value as PeerId);
  }

  /** Test-only: what must always hold (`active` is the overlay's active view). */
  checkInvariants(active: ReadonlySet<PeerId>): string | undefined {
    for (const peer of this.eager) if (this.lazy.has(peer)) return `${peer} both eager and lazy`;
    if (this.eager.size + this.lazy.size !== active.size) return `eager ${this.eager.size} + lazy ${this.lazy.size} ≠ active ${active.size}`;
    for (const peer of active) if (!this.eager.has(peer) && !this.lazy.has(peer)) return `neighbour ${peer} neither eager nor lazy`;
    if (this.lazyQueue.size > 0 && this.ctx.deadline('ihave') === undefined) return 'IHAVEs queued, no flush armed';
    if (this.ackQueue.size > 0 && this.ctx.deadline('got') === undefined) return 'acks queued, no flush armed';
    if (this.missing.size > 0 && this.ctx.deadline('graft') === undefined) return 'ids missing, no graft armed';
    return undefined;
  }
}
