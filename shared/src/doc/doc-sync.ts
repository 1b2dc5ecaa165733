/**
 * Keeps a Y.Doc in sync across the room, sans-IO: `handle(input, now)`
 * returns what to broadcast, route and schedule; the client drives it with
 * real timers and the simulator with virtual ones. Local updates spread on
 * the engine's broadcast; state-vector anti-entropy (y-protocols sync step
 * 1/2) repairs what a tab missed, between direct neighbours only, as
 * y-webrtc does per connection:
 *
 * - A new neighbour (the engine's `neighbor-up`) is sent an `announce`, our
 *   state vector; each end pulls (step 1, answered with step 2) from the
 *   other if the other holds more. This catches up a joiner and bridges a
 *   healed split.
 * - A step 2 that brought news (changed our doc) is announced to our other
 *   neighbours: they lack it too, most likely (the two sides of a healed
 *   split; a tab that was cut off), so the news spreads link by link, each
 *   tab pulling it once, instead of over multi-hop routes.
 * - Every `intervalMs` (jittered) one random neighbour gets an `exchange`
 *   (both pull from each other): step 2 always carries the whole delete
 *   set, which a state vector does not show, so this repairs missed deletes.
 *
 * One pull at a time: a tab told by several neighbours at once that they
 * hold more (a newcomer, a tab in a wave of news) pulls from one and, if
 * still behind when its answer is in (or `retryMs` passed without one: a
 * lost frame), from the latest peer known to be ahead.
 *
 * Broadcast updates are applied only if every struct they insert is under a
 * clientID their origin owns (client-id.ts; the engine's signed DATA
 * authenticates the origin): a member cannot write as another. Step 2
 * carries everyone's structs and is not checked this way (PROTOCOL.md, "Yjs
 * clientIDs are bound to peer ids"). For the same reason a local update that
 * carries others' structs (loaded from IndexedDB, or applied by the app from
 * another source) is not broadcast, which every receiver would refuse: it is
 * announced to the neighbours, who pull it.
 *
 * Measured (bench:sim --scenario partition, N=200, seed 1): before this,
 * every tab exchanged with each member the heal revived, budgeted to 2 a
 * second, over routes that did not exist yet (so as room-wide floods): the
 * 30 s after the heal sent ~2 million frames, and the docs were equal 35 s
 * after it.
 */
import * as Y from 'yjs';
import type { PeerId } from '../engine/types.js';
import { Channel, encodeFrame, type ChannelFrame, type SyncModeName } from './channel-codec.js';
import { checkOwnUpdate, foreignClientIds } from './client-id.js';

export type DocFrame = Extract<ChannelFrame, { channel: typeof Channel.DOC_UPDATE | typeof Channel.SYNC_STEP1 | typeof Channel.SYNC_STEP2 }>;

export type DocSyncInput =
  /** Arm the anti-entropy timer. */
  | { type: 'start' }
  /** The timer fired. */
  | { type: 'timer' }
  /** A link joined our active view (the engine's `neighbor-up`): exchange state vectors over it. */
  | { type: 'neighbor-up'; peer: PeerId }
  /** A neighbour left our active view (the engine's `neighbor-down`). */
  | { type: 'neighbor-down'; peer: PeerId }
  /**
   * A doc frame from `from` (a broadcast's origin, or the neighbour a route came from). A bad update
   * throws (the caller counts it as malformed), and so does a broadcast one that writes under a clientID
   * `from` does not own (MURMUR_FOREIGN_CLIENT_ID; the doc is left unchanged).
   */
  | { type: 'receive'; from: PeerId; frame: DocFrame }
  /** The app changed the doc (an update whose origin is not this DocSync). */
  | { type: 'local-update'; update: Uint8Array }
  | { type: 'stop' };

export type DocSyncOutput =
  | { type: 'broadcast'; payload: Uint8Array }
  /** To a neighbour (or, from an older peer's request, to whoever asked). */
  | { type: 'route'; to: PeerId; payload: Uint8Array }
  /** Deliver `{ type: 'timer' }` at `at`; re-arming replaces. */
  | { type: 'set-timer'; at: number }
  | { type: 'clear-timer' };

export interface DocSyncOptions {
  doc: Y.Doc;
  /** This tab's peer id: what its local updates are broadcast as (its doc's clientID must be one it owns: ClientIdBinding). */
  selfId: PeerId;
  /** Mean period of the exchange with a random neighbour, ms; each wait is drawn from [0.5, 1.5) of it. */
  intervalMs: number;
  /** Uniform [0, 1), seeded by the driver. */
  random: () => number;
  /** How long a pull waits for its step 2 before the next may go out, and the pace of retries, ms. Default 1000. */
  retryMs?: number;
}

export const DEFAULT_RETRY_MS = 1000;
/** Pulls from a peer known to be ahead before it is left to the periodic exchange (at 10% loss a pull and its answer both arrive 81% of the time: 8 tries all fail once in ~600,000). */
const AHEAD_TRIES = 8;

export interface DocSyncStats {
  updatesSent: number;
  updatesReceived: number;
  /** Remote updates (broadcast or step 2) that added nothing: the doc already had them. */
  duplicateUpdates: number;
  /** Step 1 frames sent (announces, pulls, exchanges). */
  syncRounds: number;
  /** Broadcast updates refused, not applied: they wrote under a clientID their sender does not own. */
  refusedUpdates: number;
}

export class DocSync {
  readonly doc: Y.Doc;
  private readonly options: DocSyncOptions;
  private readonly retryMs: number;
  private stopped = false;
  private out: DocSyncOutput[] = [];
  private readonly counters: DocSyncStats = { updatesSent: 0, updatesReceived: 0, duplicateUpdates: 0, syncRounds: 0, refusedUpdates: 0 };
  private readonly neighbors = new Set<PeerId>();
  /** Our pull waiting for its step 2 (see the header). */
  private pulling: { peer: PeerId; at: number } | undefined;
  /** The latest peer whose state vector showed more than we hold, and pulls left to catch up with it. */
  private ahead: { peer: PeerId; vector: Map<number, number>; tries: number } | undefined;
  /** When the armed timer fires (undefined before start). */
  private timerAt: number | undefined;

  constructor(options: DocSyncOptions) {
    this.options = options;
    this.doc = options.doc;
    this.retryMs = Math.max(1, options.retryMs ?? DEFAULT_RETRY_MS);
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
      case 'timer':
        this.onTimer(now);
        break;
      case 'neighbor-up':
        this.neighbors.add(input.peer);
        this.sendStep1(input.peer, 'announce');
        break;
      case 'neighbor-down':
        this.neighbors.delete(input.peer);
        break;
      case 'receive':
        this.receive(input.from, input.frame, now);
        break;
      case 'local-update':
        this.localUpdate(input.update);
        break;
      case 'stop':
        this.stopped = true;
        this.out.push({ type: 'clear-timer' });
        break;
    }
    return this.out;
  }

  private localUpdate(update: Uint8Array): void {
    if (foreignClientIds(update, this.options.selfId).length > 0) {
      // Others' structs (see the header): our neighbours pull them like a step 2's news.
      for (const peer of this.neighbors) this.sendStep1(peer, 'announce');
      return;
    }
    this.counters.updatesSent += 1;
    this.out.push({ type: 'broadcast', payload: encodeFrame({ channel: Channel.DOC_UPDATE, update }) });
  }

  private onTimer(now: number): void {
    if (this.ahead && !this.lacks(this.ahead.vector)) this.ahead = undefined;
    if (this.ahead) {
      // The last pull or its answer was lost: pull again from the peer known to hold more (the timer
      // keeps the retry pace, so this one does not wait for the last).
      this.pull(this.ahead.peer, now, true);
      this.ahead.tries -= 1;
      if (this.ahead.tries <= 0) this.ahead = undefined;
    } else {
      const partners = [...this.neighbors];
      const partner = partners[Math.floor(this.options.random() * partners.length)];
      if (partner !== undefined) this.sendStep1(partner, 'exchange');
    }
    this.schedule(now);
  }

  private receive(from: PeerId, frame: DocFrame, now: number): void {
    switch (frame.channel) {
      case Channel.DOC_UPDATE:
        try {
          checkOwnUpdate(frame.update, from);
        } catch (error) {
          this.counters.refusedUpdates += 1;
          throw error;
        }
        this.apply(frame.update);
        return;
      case Channel.SYNC_STEP2: {
        const changed = this.apply(frame.update);
        if (this.pulling?.peer === from) this.pulling = undefined;
        if (changed) for (const peer of this.neighbors) if (peer !== from) this.sendStep1(peer, 'announce');
        if (this.ahead && !this.lacks(this.ahead.vector)) this.ahead = undefined;
        // Still behind the peer known to be ahead (this answer came from someone else): pull from it now.
        if (this.ahead && this.pulling === undefined) this.pull(this.ahead.peer, now);
        return;
      }
      case Channel.SYNC_STEP1: {
        const theirs = Y.decodeStateVector(frame.stateVector);
        const { mode } = frame;
        if (mode === 'pull' || mode === 'exchange') {
          this.out.push({ type: 'route', to: from, payload: encodeFrame({ channel: Channel.SYNC_STEP2, update: Y.encodeStateAsUpdate(this.doc, frame.stateVector) }) });
          if (mode === 'exchange') this.sendStep1(from, 'pull');
        } else if (mode === 'announce' && this.holdsMore(theirs)) {
          this.sendStep1(from, 'answer');
        }
        // Its state vector shows what it has: if that is more than we have, pull (an exchange's pull
        // back already went out). A step 2 to us may be lost: until one makes up the difference, the
        // timer (retryMs apart) pulls from it again.
        if (this.lacks(theirs)) {
          if (this.ahead?.peer !== from) this.ahead = { peer: from, vector: theirs, tries: AHEAD_TRIES };
          else this.ahead.vector = theirs;
          if (mode !== 'exchange') this.pull(from, now);
          this.soon(now);
        }
        return;
      }
    }
  }

  /** Applies a remote update; true if it changed the doc. */
  private apply(update: Uint8Array): boolean {
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
    return changed;
  }

  /** True if a peer's state vector holds a client or clock our doc lacks. */
  private lacks(theirs: Map<number, number>): boolean {
    for (const [client, clock] of theirs) if (Y.getState(this.doc.store, client) < clock) return true;
    return false;
  }

  /** True if our doc holds a client or clock a peer's state vector lacks. */
  private holdsMore(theirs: Map<number, number>): boolean {
    for (const client of this.doc.store.clients.keys()) if ((theirs.get(client) ?? 0) < Y.getState(this.doc.store, client)) return true;
    return false;
  }

  /** Pulls from `peer` unless another pull is still waiting for its answer (see the header). */
  private pull(peer: PeerId, now: number, retry = false): void {
    if (!retry && this.pulling && now - this.pulling.at < this.retryMs) return;
    this.pulling = { peer, at: now };
    this.sendStep1(peer, 'pull');
  }

  private sendStep1(peer: PeerId, mode: SyncModeName): void {
    this.counters.syncRounds += 1;
    this.out.push({ type: 'route', to: peer, payload: encodeFrame({ channel: Channel.SYNC_STEP1, stateVector: Y.encodeStateVector(this.doc), mode }) });
  }

  /** Brings the armed timer forward to within a retry period (only once started). */
  private soon(now: number): void {
    const at = now + this.retryMs * (0.5 + this.options.random());
    if (this.timerAt !== undefined && at < this.timerAt) this.arm(at);
  }

  private schedule(now: number): void {
    const period = this.ahead !== undefined ? this.retryMs : this.options.intervalMs;
    this.arm(now + period * (0.5 + this.options.random()));
  }

  private arm(at: number): void {
    this.timerAt = at;
    this.out.push({ type: 'set-timer', at });
  }
}
