/**
 * Keeps a Y.Doc in sync across the room. Local updates spread on the
 * engine's broadcast; state-vector anti-entropy (y-protocols sync step 1/2,
 * carried by `route`) repairs what a peer missed and catches up late
 * joiners: on every peer-join, and every `intervalMs` (jittered) with one
 * random member.
 */
import * as Y from 'yjs';
import type { PeerId } from '../../shared/src/engine/types.js';
import { Channel, encodeFrame, type ChannelFrame } from './channel-codec.js';

export interface DocSyncOptions {
  doc: Y.Doc;
  broadcast: (payload: Uint8Array) => void;
  route: (to: PeerId, payload: Uint8Array) => void;
  /** The peers to pick an anti-entropy partner from. */
  members: () => readonly PeerId[];
  /** Mean anti-entropy period in ms; each wait is drawn from [0.5, 1.5) of it. */
  intervalMs: number;
  /** Uniform [0, 1). */
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
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly counters: DocSyncStats = { updatesSent: 0, updatesReceived: 0, duplicateUpdates: 0, syncRounds: 0 };
  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    // Our own applications of remote updates carry `this` as origin: never echo them.
    if (origin === this || this.stopped) return;
    this.counters.updatesSent += 1;
    this.options.broadcast(encodeFrame({ channel: Channel.DOC_UPDATE, update }));
  };

  constructor(options: DocSyncOptions) {
    this.options = options;
    this.doc = options.doc;
    this.doc.on('update', this.onUpdate);
    this.schedule();
  }

  stats(): DocSyncStats {
    return { ...this.counters };
  }

  /** A new member: exchange state vectors (both sides do it, so both converge). */
  peerJoined(peer: PeerId): void {
    this.sendStep1(peer, false);
  }

  /** Handle a doc-channel frame from `from`. Throws on a bad update (caller counts it as malformed). */
  receive(from: PeerId, frame: ChannelFrame): void {
    if (this.stopped) return;
    switch (frame.channel) {
      case Channel.DOC_UPDATE:
      case Channel.SYNC_STEP2:
        this.apply(frame.update);
        return;
      case Channel.SYNC_STEP1: {
        const diff = Y.encodeStateAsUpdate(this.doc, frame.stateVector);
        this.options.route(from, encodeFrame({ channel: Channel.SYNC_STEP2, update: diff }));
        if (frame.reciprocate) this.sendStep1(from, false);
        return;
      }
      default:
        return;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.doc.off('update', this.onUpdate);
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
    this.options.route(peer, encodeFrame({ channel: Channel.SYNC_STEP1, stateVector: Y.encodeStateVector(this.doc), reciprocate }));
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = this.options.intervalMs * (0.5 + this.options.random());
    this.timer = setTimeout(() => {
      this.timer = null;
      const members = this.options.members();
      if (members.length > 0) {
        const partner = members[Math.floor(this.options.random() * members.length)] as PeerId;
        this.sendStep1(partner, true);
      }
      this.schedule();
    }, wait);
  }
}
