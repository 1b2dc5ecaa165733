/**
 * WebRTC links to neighbours, one lite-peer data channel each. The manager
 * negotiates over whatever signal paths it is given (the server and the mesh
 * at once; duplicates are dropped), settles glare deterministically, times
 * out handshakes, cuts frames into 16 KiB pieces and applies backpressure.
 * It knows nothing of the protocol: bytes in, bytes out, up and down.
 *
 * A link goes up only once it is bound to the far side's identity: each end
 * sends a link-auth frame first (link-auth.ts) and the other checks it
 * against the DTLS fingerprints in its own SDP. A link that fails is closed,
 * counted ('refused') and not dialled again for authRetryMs. An offer from a
 * peer we hold an open link to never displaces that link: the new
 * handshake runs beside it and takes its place only once authenticated.
 * Inbound handshakes not yet authenticated have their own small quota
 * (maxPendingInbound) outside the link slots, so offers that never finish
 * (from made-up ids, say) cannot fill the slots a newcomer needs.
 *
 * Pieces bound for one neighbour within one turn of the event loop go out as
 * one data-channel message when there are several (Node: until setImmediate;
 * browsers: until the task ends):
 *
 *   batch = 0x02 (len:varuint piece)+      each piece as framing.ts makes it
 *
 * Under @roamhq/wrtc every send() is a blocking hop to the WebRTC thread:
 * 60 Node peers on 2 cores spent ~70% of their time there, fired 100 ms
 * timers 30 s late and held live peers dead. A starved process gets a whole
 * backlog per turn, so batching sends fewer messages exactly when it must.
 */
import LitePeer, { type LitePeerOptions, type SignalData } from './lite-peer.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { Emitter } from './emitter.js';
import { Reassembler, packBatches, splitFrame, unpackBatch } from './framing.js';
import { LinkAuthError, sdpFingerprints, type LinkFingerprints } from './link-auth.js';
import type { MurmurError } from '../../shared/src/errors.js';

export type LinkState = 'connecting' | 'open';

export interface LinkInfo {
  peer: string;
  state: LinkState;
  initiator: boolean;
  /** When negotiation began (ms on the room's monotonic clock). */
  createdAt: number;
  openedAt: number | null;
  /** Bytes queued locally and in the data channel, not yet sent. */
  bufferedAmount: number;
}

export interface LinkEvents {
  [name: string]: unknown[];
  up: [peer: string];
  down: [peer: string];
  data: [peer: string, bytes: Uint8Array];
  malformed: [peer: string, message: string];
  /** A link failed to authenticate (MURMUR_BAD_LINK_AUTH) and was closed. */
  refused: [peer: string, error: MurmurError];
}

/** What binds a link to identities (link-auth.ts's LinkAuth). */
export interface LinkAuthenticator {
  /** The frame to send first on the link to `peer`. */
  prove(peer: string, fingerprints: LinkFingerprints): Promise<Uint8Array>;
  /** Resolves if `frame`, the first message from `peer`, proves it on this link; rejects otherwise. */
  verify(peer: string, frame: Uint8Array, fingerprints: LinkFingerprints): Promise<void>;
}

export interface LinkManagerOptions {
  selfId: string;
  /**
   * Deliver a negotiation message to `to` by every path available. Returns
   * false when there was none (no server, no neighbour to carry it over the
   * mesh): a link still negotiating then fails at once instead of after
   * handshakeTimeoutMs.
   */
  sendSignal: (to: string, data: JsonValue) => boolean | void;
  rtcConfig?: RTCConfiguration | undefined;
  /** A WebRTC implementation for Node (e.g. `@roamhq/wrtc`); browsers use their own. */
  wrtc?: unknown;
  /** Give up on a link that has not opened after this many ms. */
  handshakeTimeoutMs: number;
  /** Close a link whose unsent queue grows past this many bytes (a stalled peer). */
  maxQueuedBytes: number;
  /** Largest reassembled frame accepted from a peer, in bytes. */
  maxFrameBytes: number;
  /**
   * Cap on links, open and negotiating together: each is a real
   * RTCPeerConnection, and Chrome allows a tab ~500 over its life. At it, a
   * dial fails at once; one above it, an offer is answered 'busy' so the
   * dialer moves on (the one spare slot lets a full node accept a join and
   * evict, as HyParView requires).
   */
  maxLinks: number;
  /** Binds every link to both ends' identities before it goes up. */
  auth: LinkAuthenticator;
  /**
   * Most inbound handshakes not yet authenticated at once (beyond it an
   * offer is answered 'busy'). They take no link slot until authenticated.
   */
  maxPendingInbound: number;
  /** After a link to a peer fails to authenticate, refuse new handshakes with it for this many ms. */
  authRetryMs: number;
  newSessionId: () => string;
  now: () => number;
}

interface Link {
  peer: string;
  sid: string;
  initiator: boolean;
  sp: LitePeer;
  state: LinkState;
  createdAt: number;
  openedAt: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Next sequence number for signals we send on this link. */
  sent: number;
  /** Sequence numbers of signals already fed (they arrive once per path). */
  seen: Set<number>;
  /** Frames that arrived before this side saw 'connect' (the far side can be first). */
  early: Uint8Array[];
  joiner: Reassembler;
  /** The channel's bufferedAmount when last read, when (ms), and bytes sent straight to it since: see bufferedEstimate. */
  bufferedRead: number;
  bufferedReadAt: number;
  sentSinceRead: number;
  /** Pieces waiting for the end of this turn (see the batch format above), and their bytes. */
  outbox: Uint8Array[];
  outboxBytes: number;
  /** This side saw 'connect' / sent its link-auth frame / checked the far side's. */
  connected: boolean;
  proofSent: boolean;
  proven: boolean;
  /** The far side's first message (its link-auth frame) has arrived. */
  proofSeen: boolean;
}

interface SignalEnvelope {
  sid: string;
  n: number;
  sp: SignalData;
}

/** The answer to an offer when this side is at maxLinks: `{ sid, busy: true }`. */
function isBusy(data: JsonValue): data is { sid: string; busy: true } {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && data.busy === true && typeof data.sid === 'string';
}

/** Signals for a session we have no link for yet (a candidate that overtook its offer). */
interface Pending {
  signals: SignalEnvelope[];
  expires: number;
}

const PENDING_SESSIONS = 32;
/** Below this much in the channel's buffer a frame goes out synchronously. */
const DIRECT_SEND_BYTES = 256 * 1024;
/** Longest wait for a closing link's queue to drain before pc.close(). */
const DRAIN_MAX_MS = 1000;
const DRAIN_POLL_MS = 20;
/** After the queue drains, time for the last packets to leave before the association is torn down. */
const DRAIN_GRACE_MS = 50;
const PENDING_PER_SESSION = 64;
/** Offer sessions remembered once answered, so a replayed (or late duplicate) offer opens nothing. */
const CONSUMED_OFFERS = 1024;
/** Peers remembered in authentication cool-down. */
const COOLDOWN_PEERS = 1024;
/**
 * Ask the channel for its bufferedAmount again once this many bytes went out
 * since the last answer (or BUFFERED_READ_MAX_AGE_MS passed with some
 * unaccounted). Under @roamhq/wrtc every read is a blocking hop to the
 * WebRTC thread: 60 Node peers on 2 cores spent a third of their time in it,
 * reading it on every frame, and starved their own timers into false dead
 * verdicts.
 */
const BUFFERED_READ_AFTER_BYTES = 64 * 1024;
const BUFFERED_READ_MAX_AGE_MS = 1000;
/** Run `fn` once this turn's work is done: after pending I/O in Node, at the end of the task in browsers. */
const endOfTurn: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => queueMicrotask(fn);

function readEnvelope(data: JsonValue): SignalEnvelope | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const { sid, n, sp } = data as { sid?: unknown; n?: unknown; sp?: unknown };
  if (typeof sid !== 'string' || sid.length === 0 || sid.length > 64) return null;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return null;
  if (typeof sp !== 'object' || sp === null || Array.isArray(sp)) return null;
  return { sid, n, sp: sp as SignalData };
}

export class LinkManager extends Emitter<LinkEvents> {
  private readonly options: LinkManagerOptions;
  private readonly links = new Map<string, Link>();
  /** Handshakes with a peer we hold an open link to: each replaces that link only once authenticated. */
  private readonly candidates = new Map<string, Link>();
  /** `${peer}\n${sid}` of offers already answered (insertion order: oldest first). */
  private readonly consumed = new Set<string>();
  /** Peer → until when handshakes with it are refused (it failed to authenticate). */
  private readonly cooldown = new Map<string, number>();
  private refusedCount = 0;
  private readonly pending = new Map<string, Pending>();
  /** Links with pieces in their outbox, flushed together at the end of the turn. */
  private readonly flushing = new Set<Link>();
  private flushScheduled = false;
  /** Whether close() lets queued frames drain before pc.close(); off while a page unloads. */
  drainOnClose = true;

  constructor(options: LinkManagerOptions) {
    super();
    this.options = options;
  }

  /** Links closed because they failed to authenticate. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Start negotiating a link to `peer` unless one exists. */
  open(peer: string): void {
    if (this.links.has(peer) || peer === this.options.selfId) return;
    if (this.slotsUsed() >= this.options.maxLinks || this.coolingDown(peer)) {
      this.emit('down', peer);
      return;
    }
    this.create(peer, this.options.newSessionId(), true);
  }

  /** Open links and our own dials: what maxLinks bounds (inbound handshakes have their own quota). */
  private slotsUsed(): number {
    let used = 0;
    for (const link of this.links.values()) if (link.state === 'open' || link.initiator) used++;
    return used;
  }

  private pendingInbound(): number {
    let pending = this.candidates.size;
    for (const link of this.links.values()) if (link.state === 'connecting' && !link.initiator) pending++;
    return pending;
  }

  private coolingDown(peer: string): boolean {
    const until = this.cooldown.get(peer);
    if (until === undefined) return false;
    if (until > this.options.now()) return true;
    this.cooldown.delete(peer);
    return false;
  }

  /** Whether `link` is still this manager's (current or candidate) and not closed. */
  private isLive(link: Link): boolean {
    return this.links.get(link.peer) === link || this.candidates.get(link.peer) === link;
  }

  /**
   * Close the link to `peer` after what was sent on it has left (a goodbye,
   * a refusal): the peer is gone from this manager at once, the
   * RTCPeerConnection a moment later.
   */
  close(peer: string): void {
    const candidate = this.candidates.get(peer);
    if (candidate) this.remove(candidate, false);
    const link = this.links.get(peer);
    if (link) this.remove(link, true, this.drainOnClose);
  }

  closeAll(): void {
    for (const link of [...this.candidates.values()]) this.remove(link, false);
    for (const link of [...this.links.values()]) this.remove(link, false, this.drainOnClose);
  }

  /** Queue a frame; false when there is no open link or it had to be dropped. */
  send(peer: string, frame: Uint8Array): boolean {
    const link = this.links.get(peer);
    if (!link || link.state !== 'open') return false;
    if (this.queued(link) + link.outboxBytes > this.options.maxQueuedBytes) {
      this.remove(link, true);
      return false;
    }
    for (const piece of splitFrame(frame)) {
      link.outbox.push(piece);
      link.outboxBytes += piece.byteLength;
    }
    this.flushing.add(link);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      endOfTurn(() => this.flushAll());
    }
    return true;
  }

  private flushAll(): void {
    this.flushScheduled = false;
    const links = [...this.flushing];
    this.flushing.clear();
    for (const link of links) if (this.links.get(link.peer) === link) this.flush(link);
  }

  /** Hand the outbox to the channel: several pieces in one message. */
  private flush(link: Link): void {
    if (link.outbox.length === 0) return;
    const messages = packBatches(link.outbox);
    link.outbox = [];
    link.outboxBytes = 0;
    try {
      for (const message of messages) {
        // Straight onto the channel while it keeps up (a goodbye must be on
        // the wire before a close); otherwise through write(), which holds
        // pieces back until bufferedAmount drains, in order.
        if (link.sp.writableLength === 0 && this.bufferedEstimate(link) < DIRECT_SEND_BYTES) {
          link.sp.send(message);
          link.sentSinceRead += message.byteLength;
        } else link.sp.write(message);
      }
    } catch {
      this.remove(link, true);
    }
  }

  list(): LinkInfo[] {
    return [...this.links.values()].map((link) => ({
      peer: link.peer,
      state: link.state,
      initiator: link.initiator,
      createdAt: link.createdAt,
      openedAt: link.openedAt,
      bufferedAmount: this.queued(link),
    }));
  }

  /** A negotiation message from `from`, by whatever path it came. */
  onSignal(from: string, data: JsonValue): void {
    if (isBusy(data)) {
      const link = this.links.get(from);
      if (link && link.sid === data.sid && link.state === 'connecting') this.remove(link, true);
      return;
    }
    const envelope = readEnvelope(data);
    if (!envelope || from === this.options.selfId) return;
    const existing = this.links.get(from);
    const candidate = this.candidates.get(from);
    for (const link of [existing, candidate]) {
      if (link && link.sid === envelope.sid) {
        this.feed(link, envelope);
        return;
      }
    }
    if (envelope.sp.type !== 'offer') {
      this.hold(envelope);
      return;
    }
    const session = `${from}\n${envelope.sid}`;
    if (this.consumed.has(session)) return;
    const busy = () => this.options.sendSignal(from, { sid: envelope.sid, busy: true });
    if (this.coolingDown(from)) return void busy();
    // Glare: both sides offered. The lower id's offer wins on both ends, so
    // exactly one link survives without another round trip.
    if (existing?.initiator && existing.state === 'connecting' && this.options.selfId < from) return;
    const replacesHandshake = existing !== undefined && existing.state === 'connecting';
    // A new handshake (not one taking over a handshake already counted) needs
    // a pending-inbound place; one slot above the cap too when it would be a
    // new neighbour: HyParView must accept a joining peer even when full, and
    // then evicts a neighbour at once.
    if (!replacesHandshake && this.pendingInbound() - (candidate ? 1 : 0) >= this.options.maxPendingInbound) return void busy();
    if (!existing && this.slotsUsed() >= this.options.maxLinks + 1) return void busy();
    this.consume(session);
    if (candidate) this.remove(candidate, false);
    if (replacesHandshake) this.remove(existing, false);
    const link = this.create(from, envelope.sid, false, existing?.state === 'open');
    this.feed(link, envelope);
    const held = this.pending.get(envelope.sid);
    this.pending.delete(envelope.sid);
    for (const signal of held?.signals ?? []) this.feed(link, signal);
  }

  private consume(session: string): void {
    this.consumed.add(session);
    if (this.consumed.size > CONSUMED_OFFERS) this.consumed.delete(this.consumed.values().next().value as string);
  }

  private hold(envelope: SignalEnvelope): void {
    const now = this.options.now();
    for (const [sid, entry] of this.pending) if (entry.expires < now) this.pending.delete(sid);
    let entry = this.pending.get(envelope.sid);
    if (!entry) {
      if (this.pending.size >= PENDING_SESSIONS) return;
      entry = { signals: [], expires: now + this.options.handshakeTimeoutMs };
      this.pending.set(envelope.sid, entry);
    }
    if (entry.signals.length < PENDING_PER_SESSION) entry.signals.push(envelope);
  }

  private channelBuffered(link: Link): number {
    const channel = (link.sp as unknown as { _channel?: { bufferedAmount?: number } | null })._channel;
    link.bufferedRead = channel?.bufferedAmount ?? 0;
    link.bufferedReadAt = this.options.now();
    link.sentSinceRead = 0;
    return link.bufferedRead;
  }

  /**
   * An upper bound on the channel's bufferedAmount (the last answer plus
   * what was sent since; the channel can only have drained meanwhile), read
   * afresh only when the bound grows large or old.
   */
  private bufferedEstimate(link: Link): number {
    const estimate = link.bufferedRead + link.sentSinceRead;
    if (estimate < BUFFERED_READ_AFTER_BYTES && (estimate === 0 || this.options.now() - link.bufferedReadAt < BUFFERED_READ_MAX_AGE_MS)) return estimate;
    return this.channelBuffered(link);
  }

  private queued(link: Link, fresh = false): number {
    return (link.sp.writableLength ?? 0) + (fresh ? this.channelBuffered(link) : this.bufferedEstimate(link));
  }

  private feed(link: Link, envelope: SignalEnvelope): void {
    if (link.seen.has(envelope.n)) return;
    link.seen.add(envelope.n);
    try {
      link.sp.signal(envelope.sp);
    } catch {
      this.remove(link, true);
    }
  }

  private create(peer: string, sid: string, initiator: boolean, asCandidate = false): Link {
    const options: LitePeerOptions = { initiator, trickle: true };
    if (this.options.rtcConfig) options.config = this.options.rtcConfig;
    if (this.options.wrtc) options.wrtc = this.options.wrtc;
    const sp = new LitePeer(options);
    const link: Link = {
      peer,
      sid,
      initiator,
      sp,
      state: 'connecting',
      createdAt: this.options.now(),
      openedAt: null,
      timer: null,
      sent: 0,
      seen: new Set(),
      early: [],
      joiner: new Reassembler(this.options.maxFrameBytes),
      bufferedRead: 0,
      bufferedReadAt: this.options.now(),
      sentSinceRead: 0,
      outbox: [],
      outboxBytes: 0,
      connected: false,
      proofSent: false,
      proven: false,
      proofSeen: false,
    };
    if (asCandidate) this.candidates.set(peer, link);
    else this.links.set(peer, link);
    link.timer = setTimeout(() => {
      if (link.state === 'connecting') this.remove(link, true);
    }, this.options.handshakeTimeoutMs);

    sp.on('signal', (data: SignalData) => {
      if (!this.isLive(link)) return;
      const sent = this.options.sendSignal(peer, { sid, n: link.sent++, sp: data as unknown as JsonValue });
      if (sent === false && link.state === 'connecting') this.remove(link, true);
    });
    sp.on('connect', () => {
      if (!this.isLive(link)) return;
      link.connected = true;
      const fingerprints = this.fingerprints(link);
      if (!fingerprints) return this.refuse(link, new LinkAuthError('no-fingerprint', 'this link has no DTLS fingerprint in its SDP'));
      this.options.auth.prove(peer, fingerprints).then(
        (proof) => {
          if (!this.isLive(link)) return;
          try {
            // Alone and first on the channel: nothing of the engine's goes before it.
            link.sp.send(proof);
          } catch {
            this.remove(link, true);
            return;
          }
          link.proofSent = true;
          this.maybeUp(link);
        },
        (error: unknown) => this.refuse(link, error),
      );
    });
    sp.on('data', (chunk: Uint8Array) => {
      if (!this.isLive(link)) return;
      const piece = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
      if (link.state === 'open') this.receive(link, piece);
      else if (!link.proofSeen) this.check(link, piece);
      else if (link.early.length < 256) link.early.push(piece);
    });
    const gone = () => {
      if (this.isLive(link)) this.remove(link, true);
    };
    sp.on('close', gone);
    sp.on('error', gone);
    return link;
  }

  /** Both descriptions' DTLS fingerprints, or null when either has none. */
  private fingerprints(link: Link): LinkFingerprints | null {
    const descriptions = link.sp.descriptions();
    if (!descriptions) return null;
    const fingerprints = { local: sdpFingerprints(descriptions.local), remote: sdpFingerprints(descriptions.remote) };
    return fingerprints.local && fingerprints.remote ? fingerprints : null;
  }

  /** The far side's first message: its link-auth frame. */
  private check(link: Link, first: Uint8Array): void {
    link.proofSeen = true;
    const fingerprints = this.fingerprints(link);
    if (!fingerprints) return this.refuse(link, new LinkAuthError('no-fingerprint', 'this link has no DTLS fingerprint in its SDP'));
    this.options.auth.verify(link.peer, first, fingerprints).then(
      () => {
        if (!this.isLive(link)) return;
        link.proven = true;
        this.maybeUp(link);
      },
      (error: unknown) => this.refuse(link, error),
    );
  }

  /** Up once this side is connected, has sent its proof and has checked the far side's. */
  private maybeUp(link: Link): void {
    if (link.state !== 'connecting' || !link.connected || !link.proofSent || !link.proven || !this.isLive(link)) return;
    if (this.candidates.get(link.peer) === link) {
      // An authenticated handshake takes the place of the open link it ran
      // beside (remove() moves it in before the engine hears 'down').
      const old = this.links.get(link.peer);
      if (old) this.remove(old, true);
      else {
        this.candidates.delete(link.peer);
        this.links.set(link.peer, link);
      }
      if (this.links.get(link.peer) !== link) return;
    } else if (!link.initiator && this.slotsUsed() >= this.options.maxLinks + 1) {
      // Inbound handshakes wait outside the slots; one that finishes when
      // they are all taken (others finished first) is closed, as a busy
      // answer would have been, so open links never pass maxLinks + 1.
      this.remove(link, true);
      return;
    }
    link.state = 'open';
    link.openedAt = this.options.now();
    if (link.timer) clearTimeout(link.timer);
    link.timer = null;
    this.emit('up', link.peer);
    for (const piece of link.early.splice(0)) this.receive(link, piece);
  }

  /** Close a link that failed to authenticate, count it, and refuse the peer for a while. */
  private refuse(link: Link, error: unknown): void {
    if (!this.isLive(link)) return;
    this.refusedCount += 1;
    this.cooldown.set(link.peer, this.options.now() + this.options.authRetryMs);
    if (this.cooldown.size > COOLDOWN_PEERS) this.cooldown.delete(this.cooldown.keys().next().value as string);
    const reason = error instanceof LinkAuthError ? error : new LinkAuthError('malformed', `link authentication failed: ${String(error)}`);
    this.remove(link, true);
    this.emit('refused', link.peer, reason);
  }

  private receive(link: Link, message: Uint8Array): void {
    let pieces: Uint8Array[];
    try {
      pieces = unpackBatch(message);
    } catch (error) {
      if (this.isLive(link)) this.emit('malformed', link.peer, (error as Error).message);
      return;
    }
    for (const piece of pieces) {
      // A frame may close the link (a goodbye): the rest of the batch is moot.
      if (!this.isLive(link)) return;
      let frame: Uint8Array | null;
      try {
        frame = link.joiner.push(piece);
      } catch (error) {
        this.emit('malformed', link.peer, (error as Error).message);
        continue;
      }
      if (frame) this.emit('data', link.peer, frame);
    }
  }

  private remove(link: Link, notify: boolean, drain = false): void {
    if (this.candidates.get(link.peer) === link) {
      // The engine never heard of a candidate: it goes quietly.
      this.candidates.delete(link.peer);
      if (link.timer) clearTimeout(link.timer);
      link.sp.removeAllListeners();
      link.sp.on('error', () => {});
      link.sp.destroy();
      return;
    }
    if (this.links.get(link.peer) !== link) return;
    // What was queued this turn (a goodbye, a refusal) leaves before the close.
    if (link.state === 'open' && link.outbox.length > 0) this.flush(link);
    if (this.links.get(link.peer) !== link) return;
    this.links.delete(link.peer);
    this.flushing.delete(link);
    // A handshake running beside this link carries on in its place.
    const candidate = this.candidates.get(link.peer);
    if (candidate) {
      this.candidates.delete(link.peer);
      this.links.set(link.peer, candidate);
    }
    if (link.timer) clearTimeout(link.timer);
    link.sp.removeAllListeners('signal');
    link.sp.removeAllListeners('data');
    link.sp.removeAllListeners('connect');
    link.sp.on('error', () => {});
    if (drain && link.state === 'open') this.destroyWhenDrained(link, this.options.now() + DRAIN_MAX_MS);
    else link.sp.destroy();
    if (notify) this.emit('down', link.peer);
  }

  /** pc.close() discards what is still queued: wait (briefly) until it has been sent. */
  private destroyWhenDrained(link: Link, deadline: number): void {
    if (this.queued(link, true) === 0 || this.options.now() >= deadline || link.sp.destroyed) {
      setTimeout(() => link.sp.destroy(), DRAIN_GRACE_MS);
      return;
    }
    setTimeout(() => this.destroyWhenDrained(link, deadline), DRAIN_POLL_MS);
  }
}
