/**
 * Reliable, ordered delivery of adapter messages to each murmur peer.
 * A murmur room's peer-addressed messages are best-effort (a link that closes
 * mid-send, a route that changes, loses them), while Automerge's sync
 * protocol expects a transport that neither loses nor reorders: one lost
 * sync message can stall a document until the next edit. So each message
 * carries (epoch, seq); the receiver delivers in order, holds what came
 * early, drops duplicates and acks the last one it delivered; the sender
 * resends what is unacked every retransmitMs. A new epoch (a new session
 * with that peer) restarts the numbering on both sides.
 */
import type { Message } from '@automerge/automerge-repo/slim';
import type { PeerId as MurmurPeerId } from '../../../shared/src/engine/types.js';

/** Messages a receiver holds ahead of a gap, and a sender keeps unacked, per peer; past that the oldest go. */
const MAX_WINDOW = 1024;

interface Outbox {
  epoch: number;
  next: number;
  unacked: Map<number, Uint8Array[]>;
}

interface Inbox {
  epoch: number;
  expected: number;
  held: Map<number, Message>;
}

export interface ReliableOptions {
  /** Put one message's encoded pieces on the wire to `to`. */
  transmit(to: MurmurPeerId, pieces: Uint8Array[]): void;
  /** Tell `to` that everything up to `seq` of its `epoch` arrived. */
  ack(to: MurmurPeerId, epoch: number, seq: number): void;
  deliver(from: MurmurPeerId, message: Message): void;
  /** Encode message number `seq` of `epoch` into pieces. */
  encode(epoch: number, seq: number, message: Message): Uint8Array[];
  retransmitMs: number;
}

function randomEpoch(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] as number;
}

export class Reliable {
  private readonly outboxes = new Map<MurmurPeerId, Outbox>();
  private readonly inboxes = new Map<MurmurPeerId, Inbox>();
  private readonly acksDue = new Set<MurmurPeerId>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly options: ReliableOptions;

  constructor(options: ReliableOptions) {
    this.options = options;
  }

  send(to: MurmurPeerId, message: Message): void {
    let box = this.outboxes.get(to);
    if (!box) this.outboxes.set(to, (box = { epoch: randomEpoch(), next: 0, unacked: new Map() }));
    const seq = box.next++;
    const pieces = this.options.encode(box.epoch, seq, message);
    box.unacked.set(seq, pieces);
    if (box.unacked.size > MAX_WINDOW) box.unacked.delete(box.unacked.keys().next().value as number);
    this.options.transmit(to, pieces);
    this.timer ??= setInterval(() => this.resend(), this.options.retransmitMs);
  }

  receive(from: MurmurPeerId, epoch: number, seq: number, message: Message): void {
    let inbox = this.inboxes.get(from);
    if (!inbox || inbox.epoch !== epoch) this.inboxes.set(from, (inbox = { epoch, expected: 0, held: new Map() }));
    if (seq >= inbox.expected && !inbox.held.has(seq)) {
      inbox.held.set(seq, message);
      if (inbox.held.size > MAX_WINDOW) inbox.held.delete(inbox.held.keys().next().value as number);
      for (let next = inbox.held.get(inbox.expected); next !== undefined; next = inbox.held.get(inbox.expected)) {
        inbox.held.delete(inbox.expected);
        inbox.expected += 1;
        this.options.deliver(from, next);
      }
    }
    // Ack even duplicates: the first ack may be the thing that was lost.
    if (this.acksDue.size === 0) queueMicrotask(() => this.flushAcks());
    this.acksDue.add(from);
  }

  acked(from: MurmurPeerId, epoch: number, seq: number): void {
    const box = this.outboxes.get(from);
    if (box?.epoch !== epoch) return;
    for (const pending of [...box.unacked.keys()]) if (pending <= seq) box.unacked.delete(pending);
  }

  /** A new session with `peer` (it (re)connected, or left): forget both directions. */
  reset(peer: MurmurPeerId): void {
    this.outboxes.delete(peer);
    this.inboxes.delete(peer);
    this.acksDue.delete(peer);
  }

  clear(): void {
    this.outboxes.clear();
    this.inboxes.clear();
    this.acksDue.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private flushAcks(): void {
    for (const peer of this.acksDue) {
      const inbox = this.inboxes.get(peer);
      if (inbox && inbox.expected > 0) this.options.ack(peer, inbox.epoch, inbox.expected - 1);
    }
    this.acksDue.clear();
  }

  private resend(): void {
    let pending = 0;
    for (const [to, box] of this.outboxes) {
      for (const pieces of box.unacked.values()) this.options.transmit(to, pieces);
      pending += box.unacked.size;
    }
    if (pending === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
