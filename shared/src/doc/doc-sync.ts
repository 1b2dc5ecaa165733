/**
 * Keeps a Y.Doc in sync across the room, sans-IO: `handle(input, now)`
 * returns what to broadcast, route and schedule; the client drives it with
 * real timers and the simulator with virtual ones. Local updates spread on
 * the engine's broadcast; state-vector anti-entropy (y-protocols sync step
 * 1/2, carried by `route`) repairs what a peer missed and catches up late
 * joiners: on peer-join, and every `intervalMs` (jittered) with one random
 * member.
 *
 * Joins come in bursts: a tab that joins learns the whole room at once, and
 * when a split room heals every tab sees the other side join. Exchanging
 * with each joiner cost N² state-vector exchanges room-wide, and routes to
 * the other side are unknown right after a heal, so they went out as
 * room-wide floods: at N=200 the 30 s after the heal sent ~2 million frames
 * (partition scenario, seed 1), and one peer's doc still lagged 72 s. A few
 * partners suffice: each holds what its side holds, every tab pulls for
 * itself, and with `reciprocate` the partner pulls from us too. So joins
 * spend from a budget of `joinSyncs` exchanges per `joinSyncWindowMs` (a
 * token bucket): a burst of joins costs a few exchanges a second while it
 * lasts, not one per joiner, and a catch-up of a few more exchanges with
 * the joiners it skipped (see `defer`); the
 * periodic exchange with a random member covers the rest.
 */
import * as Y from 'yjs';
import type { PeerId } from '../engine/types.js';
import { Channel, encodeFrame, type ChannelFrame } from './channel-codec.js';

export type DocFrame = Extract<ChannelFrame, { channel: typeof Channel.DOC_UPDATE | typeof Channel.SYNC_STEP1 | typeof Channel.SYNC_STEP2 }>;

export type DocSyncInput =
  /** Arm the anti-entropy timer. */
  | { type: 'start' }
  /** The timer fired; `members` are the peers to pick a partner from. */
  | { type: 'timer'; members: readonly PeerId[] }
  /** A new member: exchange state vectors both ways, budget permitting (see the header). */
  | { type: 'peer-joined'; peer: PeerId }
  /** A doc frame from `from`. A bad update throws (the caller counts it as malformed). */
  | { type: 'receive'; from: PeerId; frame: DocFrame }
  /** The app changed the doc (an update whose origin is not this DocSync). */
  | { type: 'local-update'; update: Uint8Array }
  | { type: 'stop' };

export type DocSyncOutput =
  | { type: 'broadcast'; payload: Uint8Array }
  | { type: 'route'; to: PeerId; payload: Uint8Array }
  /** Deliver `{ type: 'timer' }` at `at`; re-arming replaces. */
  | { type: 'set-timer'; at: number }
  | { type: 'clear-timer' };

export interface DocSyncOptions {
  doc: Y.Doc;
  /** Mean anti-entropy period in ms; each wait is drawn from [0.5, 1.5) of it. */
  intervalMs: number;
  /** Uniform [0, 1), seeded by the driver. */
  random: () => number;
  /** Exchanges started by peer-joins per `joinSyncWindowMs`, at most (also the burst). Default 2; at least 1. */
  joinSyncs?: number;
  /** The join budget's period, ms. Default 1000. */
  joinSyncWindowMs?: number;
}

export const DEFAULT_JOIN_SYNCS = 2;
export const DEFAULT_JOIN_SYNC_WINDOW_MS = 1000;

export interface DocSyncStats {
  updatesSent: number;
  updatesReceived: number;
  /** Remote updates (broadcast or step 2) that added nothing: the doc already had them. */
  duplicateUpdates: number;
  syncRounds: number;
}

export class DocSync {
  readonly doc: Y.Doc;
  private readonly options: DocSyncOptions;
  private stopped = false;
  private out: DocSyncOutput[] = [];
  private readonly counters: DocSyncStats = { updatesSent: 0, updatesReceived: 0, duplicateUpdates: 0, syncRounds: 0 };
  /** Peer-joins left to the periodic exchange because the join budget was spent (see the header). */
  joinSyncsSkipped = 0;
  private readonly joinSyncs: number;
  private readonly joinSyncWindowMs: number;
  /** Join-sync budget left (see the header), and when it was last topped up. */
  private joinTokens: number;
  private joinTokensAt = -Infinity;
  /** Joiners the budget skipped, latest last (at most joinSyncs × 2): the next timers pick from these first. */
  private deferred: PeerId[] = [];
  /** Exchanges left in a catch-up after a burst of joins, a join window apart (see `defer`). */
  private catchUps = 0;
  /** The last peer whose state vector showed more than we hold, and pulls left to catch up with it (see `receive`). */
  private ahead: { peer: PeerId; vector: Map<number, number>; tries: number } | undefined;
  /** Alternates catch-up timers between the peer known to be ahead and the other partners. */
  private aheadTurn = false;
  /** When the armed timer fires (undefined before start). */
  private timerAt: number | undefined;

  constructor(options: DocSyncOptions) {
    this.options = options;
    this.doc = options.doc;
    this.joinSyncs = Math.max(1, Math.floor(options.joinSyncs ?? DEFAULT_JOIN_SYNCS));
    this.joinSyncWindowMs = Math.max(1, options.joinSyncWindowMs ?? DEFAULT_JOIN_SYNC_WINDOW_MS);
    this.joinTokens = this.joinSyncs;
  }

  /** The origin of every remote update this applies: a driver must not feed those back as local. */
  get origin(): unknown {
    return this;
  }

  stats(): DocSyncStats {
    return { ...this.counters };
  }

  handle(input: DocSyncInput, now: number): DocSyncOutput[] {
    this.out = [];
    if (this.stopped) return this.out;
    switch (input.type) {
      case 'start':
        this.schedule(now);
        break;
      case 'timer': {
        const members = new Set(input.members);
        this.deferred = this.deferred.filter((peer) => members.has(peer));
        if (this.ahead && (!members.has(this.ahead.peer) || !this.lacks(this.ahead.vector))) this.ahead = undefined;
        this.aheadTurn = !this.aheadTurn;
        if (this.ahead && this.aheadTurn) {
          // Pull again from the peer known to hold more: the last pull or its answer was lost.
          this.sendStep1(this.ahead.peer, true);
          this.ahead.tries -= 1;
          if (this.ahead.tries <= 0) this.ahead = undefined;
        } else {
          const partner = (this.catchUps > 0 ? this.deferred.pop() : undefined) ?? input.members[Math.floor(this.options.random() * input.members.length)];
          if (this.catchUps > 0) this.catchUps -= 1;
          if (partner !== undefined) this.sendStep1(partner, true);
        }
        this.schedule(now);
        break;
      }
      case 'peer-joined':
        if (this.takeJoinToken(now)) this.sendStep1(input.peer, true);
        else this.defer(input.peer, now);
        break;
      case 'receive':
        this.receive(input.from, input.frame, now);
        break;
      case 'local-update':
        this.counters.updatesSent += 1;
        this.out.push({ type: 'broadcast', payload: encodeFrame({ channel: Channel.DOC_UPDATE, update: input.update }) });
        break;
      case 'stop':
        this.stopped = true;
        this.out.push({ type: 'clear-timer' });
        break;
    }
    return this.out;
  }

  private receive(from: PeerId, frame: DocFrame, now: number): void {
    switch (frame.channel) {
      case Channel.DOC_UPDATE:
      case Channel.SYNC_STEP2:
        this.apply(frame.update);
        return;
      case Channel.SYNC_STEP1: {
        const diff = Y.encodeStateAsUpdate(this.doc, frame.stateVector);
        this.out.push({ type: 'route', to: from, payload: encodeFrame({ channel: Channel.SYNC_STEP2, update: diff }) });
        // Its state vector shows what it has: if that is more than we have, pull even unasked. Its own
        // step 2 to us may have been lost: after a heal a route crosses a few bridges, and at 10% loss per
        // hop a reply over 8 hops is lost more often than not. One step 1 in makes at most one out, and
        // only while we lack something, so a chain of these ends once both sides hold the same.
        const theirs = Y.decodeStateVector(frame.stateVector);
        const behind = this.lacks(theirs);
        if (frame.reciprocate || behind) this.sendStep1(from, false);
        // Until a step 2 makes up the difference, every other timer (a join window apart) pulls from it again.
        if (behind && this.ahead?.peer !== from) {
          this.ahead = { peer: from, vector: theirs, tries: this.joinSyncs * 2 };
          this.soon(now);
        }
        return;
      }
    }
  }

  private apply(update: Uint8Array): void {
    this.counters.updatesReceived += 1;
    let changed = false;
    const mark = (): void => {
      changed = true;
    };
    this.doc.on('update', mark);
    try {
      Y.applyUpdate(this.doc, update, this);
    } finally {
      this.doc.off('update', mark);
    }
    if (!changed) this.counters.duplicateUpdates += 1;
  }

  /** True if a peer's state vector holds a client or clock our doc lacks. */
  private lacks(theirs: Map<number, number>): boolean {
    for (const [client, clock] of theirs) if (Y.getState(this.doc.store, client) < clock) return true;
    return false;
  }

  private sendStep1(peer: PeerId, reciprocate: boolean): void {
    this.counters.syncRounds += 1;
    this.out.push({ type: 'route', to: peer, payload: encodeFrame({ channel: Channel.SYNC_STEP1, stateVector: Y.encodeStateVector(this.doc), reciprocate }) });
  }

  private takeJoinToken(now: number): boolean {
    if (Number.isFinite(this.joinTokensAt)) {
      this.joinTokens = Math.min(this.joinSyncs, this.joinTokens + ((now - this.joinTokensAt) * this.joinSyncs) / this.joinSyncWindowMs);
    }
    this.joinTokensAt = now;
    if (this.joinTokens < 1) return false;
    this.joinTokens -= 1;
    return true;
  }

  /**
   * A joiner the budget skipped: more joined than the budget allows, a burst
   * (our own join, or a healed split). Start a catch-up: joinSyncs × 4 more
   * exchanges, a join window apart, with the latest skipped joiners first
   * (a step 2 that brings something does not end it: the halves of a split
   * may be split again, and the first partner may be from our own side).
   * An exchange routed over
   * several lossy hops fails now and then (at 10% loss per hop a 4-hop round
   * trip fails more often than not), and a tab whose join-time exchanges all
   * failed would otherwise wait periods for a partner from the other side.
   * A join now and then (churn) stays within the budget and starts none.
   */
  private defer(peer: PeerId, now: number): void {
    this.joinSyncsSkipped += 1;
    this.deferred = this.deferred.filter((other) => other !== peer);
    this.deferred.push(peer);
    if (this.deferred.length > this.joinSyncs * 2) this.deferred.shift();
    if (this.catchUps === 0) this.catchUps = this.joinSyncs * 4;
    this.soon(now);
  }

  /** Brings the armed timer forward to within a join window (only once started). */
  private soon(now: number): void {
    const at = now + this.joinSyncWindowMs * (0.5 + this.options.random());
    if (this.timerAt !== undefined && at < this.timerAt) this.arm(at);
  }

  private schedule(now: number): void {
    const period = this.catchUps > 0 || this.ahead !== undefined ? this.joinSyncWindowMs : this.options.intervalMs;
    this.arm(now + period * (0.5 + this.options.random()));
  }

  private arm(at: number): void {
    this.timerAt = at;
    this.out.push({ type: 'set-timer', at });
  }
}
