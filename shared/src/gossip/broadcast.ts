/**
 * Plumtree (Leitão, Pereira, Rodrigues 2007): epidemic broadcast trees.
 *
 * Payloads go eagerly along a spanning tree made of the `eager` links; the
 * other (`lazy`) links get only ids (IHAVE, batched). A duplicate prunes the
 * link it came on (tree cycles disappear); a payload announced but not
 * received in time is pulled (GRAFT), which also adds the link back to the
 * tree (the tree heals around lost links and failures). Messages are
 * de-duplicated by id = (origin, per-origin sequence number).
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import { encodeGossipFrame, type GossipId } from './wire/frames.js';

interface Cached {
  origin: PeerId;
  seq: number;
  /** Hops this copy took to reach us (0 for our own). */
  round: number;
  bodyBytes: Uint8Array;
  at: number;
}

interface Missing {
  origin: PeerId;
  seq: number;
  /** Neighbours that announced the id, oldest first. */
  sources: PeerId[];
  deadline: number;
}

export const IHAVE_TIMER = 'ihave';
export const GRAFT_TIMER = 'graft';
/** Most entries in one IHAVE frame (keeps frames well under 16 KiB). */
const IHAVE_BATCH = 400;
/** Own messages younger than this are announced on every new link, ms. */
const OWN_CATCH_UP_MS = 5000;
const OWN_RECENT = 8;

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
  private ihaveArmed = false;
  private graftAt = Infinity;
  private seq = 0;
  /** Our last few messages, announced to new neighbours. */
  private ownRecent: Array<{ seq: number; at: number }> = [];

  constructor(ctx: Context) {
    this.ctx = ctx;
  }

  neighborUp(peer: PeerId): void {
    this.lazy.delete(peer);
    this.eager.add(peer);
    // Announce our own recent messages on the new link: a newcomer's first announcement went out on
    // a single link, and one lost frame would otherwise leave it to anti-entropy.
    const since = this.ctx.now - OWN_CATCH_UP_MS;
    const recent = this.ownRecent.filter((entry) => entry.at >= since);
    if (recent.length > 0) this.ctx.send(peer, { type: 'ihave', entries: recent.map((entry) => ({ origin: this.ctx.self, seq: entry.seq, round: 1 })) });
  }

  neighborDown(peer: PeerId): void {
    this.eager.delete(peer);
    this.lazy.delete(peer);
    this.lazyQueue.delete(peer);
    for (const entry of this.missing.values()) {
      const index = entry.sources.indexOf(peer);
      if (index >= 0) entry.sources.splice(index, 1);
    }
  }

  /** Publishes our own message; returns its id. */
  publish(bodyBytes: Uint8Array): GossipId {
    this.seq += 1;
    const id = { origin: this.ctx.self, seq: this.seq };
    const key = messageKey(id.origin, id.seq);
    this.seen.set(key, this.ctx.now);
    this.cache.set(key, { ...id, round: 0, bodyBytes, at: this.ctx.now });
    this.ownRecent.push({ seq: id.seq, at: this.ctx.now });
    if (this.ownRecent.length > OWN_RECENT) this.ownRecent = this.ownRecent.slice(-OWN_RECENT);
    this.forward(id.origin, id.seq, 0, bodyBytes, undefined);
    return id;
  }

  /** Sends our own message to every neighbour at once, eager or lazy (graceful leave). */
  sendToAll(bodyBytes: Uint8Array, neighbours: Iterable<PeerId>): void {
    this.seq += 1;
    const frame = encodeGossipFrame(this.ctx.self, this.seq, 1, bodyBytes);
    for (const peer of neighbours) this.ctx.sendBytes(peer, frame);
  }

  /**
   * A GOSSIP frame arrived. Returns true if the message is new (the caller
   * applies it); duplicates prune the link they came on.
   */
  receive(from: PeerId, origin: PeerId, seq: number, round: number, bodyBytes: Uint8Array): boolean {
    const key = messageKey(origin, seq);
    if (this.seen.has(key)) {
      this.ctx.stats.duplicates += 1;
      if (this.eager.delete(from)) {
        this.lazy.add(from);
        this.ctx.send(from, { type: 'prune' });
      }
      return false;
    }
    this.seen.set(key, this.ctx.now);
    this.cache.set(key, { origin, seq, round, bodyBytes: bodyBytes.slice(), at: this.ctx.now });
    this.missing.delete(key);
    if (this.lazy.delete(from)) this.eager.add(from);
    this.forward(origin, seq, round, bodyBytes, from);
    return true;
  }

  has(origin: PeerId, seq: number): boolean {
    return this.seen.has(messageKey(origin, seq));
  }

  private forward(origin: PeerId, seq: number, round: number, bodyBytes: Uint8Array, from: PeerId | undefined): void {
    if (this.eager.size > (from !== undefined && this.eager.has(from) ? 1 : 0)) {
      const frame = encodeGossipFrame(origin, seq, round + 1, bodyBytes);
      for (const peer of this.eager) if (peer !== from) this.ctx.sendBytes(peer, frame);
    }
    for (const peer of this.lazy) {
      if (peer === from) continue;
      let queue = this.lazyQueue.get(peer);
      if (!queue) {
        queue = [];
        this.lazyQueue.set(peer, queue);
      }
      queue.push({ origin, seq, round: round + 1 });
    }
    if (this.lazyQueue.size > 0 && !this.ihaveArmed) {
      this.ihaveArmed = true;
      this.ctx.setTimer(IHAVE_TIMER, this.ctx.now + this.ctx.config.lazyFlushMs);
    }
  }

  flushLazy(): void {
    this.ihaveArmed = false;
    for (const [peer, entries] of this.lazyQueue) {
      for (let i = 0; i < entries.length; i += IHAVE_BATCH) {
        this.ctx.send(peer, { type: 'ihave', entries: entries.slice(i, i + IHAVE_BATCH) });
      }
    }
    this.lazyQueue.clear();
  }

  onIhave(from: PeerId, entries: ReadonlyArray<GossipId & { round: number }>): void {
    for (const entry of entries) {
      const key = messageKey(entry.origin, entry.seq);
      if (this.seen.has(key)) continue;
      let missing = this.missing.get(key);
      if (!missing) {
        missing = { origin: entry.origin, seq: entry.seq, sources: [], deadline: this.ctx.now + this.ctx.config.graftTimeoutMs };
        this.missing.set(key, missing);
        this.armGraft(missing.deadline);
      }
      if (!missing.sources.includes(from)) missing.sources.push(from);
    }
  }

  private armGraft(at: number): void {
    if (at < this.graftAt) {
      this.graftAt = at;
      this.ctx.setTimer(GRAFT_TIMER, at);
    }
  }

  onGraftTimer(): void {
    this.graftAt = Infinity;
    const now = this.ctx.now;
    const grafts = new Map<PeerId, GossipId[]>();
    let next = Infinity;
    for (const [key, missing] of this.missing) {
      if (missing.deadline > now) {
        next = Math.min(next, missing.deadline);
        continue;
      }
      const source = missing.sources.shift();
      if (source === undefined) {
        this.missing.delete(key);
        continue;
      }
      let list = grafts.get(source);
      if (!list) {
        list = [];
        grafts.set(source, list);
      }
      list.push({ origin: missing.origin, seq: missing.seq });
      missing.deadline = now + this.ctx.config.graftRetryMs;
      next = Math.min(next, missing.deadline);
    }
    for (const [peer, entries] of grafts) {
      if (this.lazy.delete(peer)) this.eager.add(peer);
      this.ctx.send(peer, { type: 'graft', entries });
    }
    if (next < Infinity) this.armGraft(next);
  }

  onGraft(from: PeerId, entries: readonly GossipId[]): void {
    if (this.lazy.delete(from)) this.eager.add(from);
    for (const entry of entries) {
      const cached = this.cache.get(messageKey(entry.origin, entry.seq));
      if (cached) this.ctx.sendBytes(from, encodeGossipFrame(cached.origin, cached.seq, cached.round + 1, cached.bodyBytes));
    }
  }

  onPrune(from: PeerId): void {
    if (this.eager.delete(from)) this.lazy.add(from);
  }

  /** Forgets ids and payloads older than the message TTL. */
  expire(): void {
    const horizon = this.ctx.now - this.ctx.config.messageTtlMs;
    for (const [key, at] of this.seen) {
      if (at > horizon) break;
      this.seen.delete(key);
    }
    for (const [key, cached] of this.cache) {
      if (cached.at > horizon) break;
      this.cache.delete(key);
    }
  }

  get missingCount(): number {
    return this.missing.size;
  }
}
