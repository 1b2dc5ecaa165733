/**
 * Keeps a Y.Doc in sync across the room, sans-IO: `handle(input, now)`
 * returns what to broadcast, route and schedule; the client drives it with
 * real timers and the simulator with virtual ones. Local updates spread on
 * the engine's broadcast; state-vector anti-entropy (y-protocols sync step
 * 1/2, carried by `route`) repairs what a peer missed and catches up late
 * joiners: on every peer-join, and every `intervalMs` (jittered) with one
 * random member.
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
  /** A new member: exchange state vectors (both sides do it, so both converge). */
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
}

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

  constructor(options: DocSyncOptions) {
    this.options = options;
    this.doc = options.doc;
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
        if (input.members.length > 0) {
          const partner = input.members[Math.floor(this.options.random() * input.members.length)] as PeerId;
          this.sendStep1(partner, true);
        }
        this.schedule(now);
        break;
      case 'peer-joined':
        this.sendStep1(input.peer, false);
        break;
      case 'receive':
        this.receive(input.from, input.frame);
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

  private receive(from: PeerId, frame: DocFrame): void {
    switch (frame.channel) {
      case Channel.DOC_UPDATE:
      case Channel.SYNC_STEP2:
        this.apply(frame.update);
        return;
      case Channel.SYNC_STEP1: {
        const diff = Y.encodeStateAsUpdate(this.doc, frame.stateVector);
        this.out.push({ type: 'route', to: from, payload: encodeFrame({ channel: Channel.SYNC_STEP2, update: diff }) });
        if (frame.reciprocate) this.sendStep1(from, false);
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

  private sendStep1(peer: PeerId, reciprocate: boolean): void {
    this.counters.syncRounds += 1;
    this.out.push({ type: 'route', to: peer, payload: encodeFrame({ channel: Channel.SYNC_STEP1, stateVector: Y.encodeStateVector(this.doc), reciprocate }) });
  }

  private schedule(now: number): void {
    this.out.push({ type: 'set-timer', at: now + this.options.intervalMs * (0.5 + this.options.random()) });
  }
}
