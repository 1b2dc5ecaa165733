/**
 * WebRTC links to neighbours, one simple-peer data channel each. The manager
 * negotiates over whatever signal path it is given (the server now, the mesh
 * later), settles glare deterministically, and times out handshakes. It knows
 * nothing of the protocol: bytes in, bytes out, up and down.
 */
import SimplePeer from 'simple-peer';
import type { JsonValue } from '../../shared/src/signaling.js';
import { Emitter } from './emitter.js';

export type LinkState = 'connecting' | 'open';

export interface LinkInfo {
  peer: string;
  state: LinkState;
  initiator: boolean;
  openedAt: number | null;
  bufferedAmount: number;
}

export interface LinkEvents {
  [name: string]: unknown[];
  up: [peer: string];
  down: [peer: string];
  data: [peer: string, bytes: Uint8Array];
}

export interface LinkManagerOptions {
  selfId: string;
  /** Deliver a negotiation message to `to` by some path; false if it cannot now. */
  sendSignal: (to: string, data: JsonValue) => boolean;
  rtcConfig?: RTCConfiguration;
  /** A WebRTC implementation for Node (e.g. `@roamhq/wrtc`); browsers use their own. */
  wrtc?: unknown;
  /** Give up on a link that has not opened after this many ms. */
  handshakeTimeoutMs: number;
  newSessionId: () => string;
  now: () => number;
}

interface Link {
  peer: string;
  sid: string;
  initiator: boolean;
  sp: SimplePeer.Instance;
  state: LinkState;
  openedAt: number | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Frames that arrived before this side saw 'connect' (the far side can be first). */
  early: Uint8Array[];
}

interface SignalEnvelope {
  sid: string;
  sp: SimplePeer.SignalData;
}

function readEnvelope(data: JsonValue): SignalEnvelope | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const { sid, sp } = data as { sid?: unknown; sp?: unknown };
  if (typeof sid !== 'string' || sid.length === 0 || sid.length > 64) return null;
  if (typeof sp !== 'object' || sp === null || Array.isArray(sp)) return null;
  return { sid, sp: sp as SimplePeer.SignalData };
}

export class LinkManager extends Emitter<LinkEvents> {
  private readonly options: LinkManagerOptions;
  private readonly links = new Map<string, Link>();

  constructor(options: LinkManagerOptions) {
    super();
    this.options = options;
  }

  /** Start negotiating a link to `peer` unless one exists. */
  open(peer: string): void {
    if (this.links.has(peer) || peer === this.options.selfId) return;
    this.create(peer, this.options.newSessionId(), true);
  }

  close(peer: string): void {
    const link = this.links.get(peer);
    if (link) this.remove(link, true);
  }

  closeAll(): void {
    for (const link of [...this.links.values()]) this.remove(link, false);
  }

  send(peer: string, bytes: Uint8Array): boolean {
    const link = this.links.get(peer);
    if (!link || link.state !== 'open') return false;
    try {
      link.sp.send(bytes);
      return true;
    } catch {
      this.remove(link, true);
      return false;
    }
  }

  list(): LinkInfo[] {
    return [...this.links.values()].map((link) => ({
      peer: link.peer,
      state: link.state,
      initiator: link.initiator,
      openedAt: link.openedAt,
      bufferedAmount: link.sp.bufferSize ?? 0,
    }));
  }

  /** A negotiation message from `from`, by whatever path it came. */
  onSignal(from: string, data: JsonValue): void {
    const envelope = readEnvelope(data);
    if (!envelope || from === this.options.selfId) return;
    const existing = this.links.get(from);
    if (existing && existing.sid === envelope.sid) {
      this.feed(existing, envelope.sp);
      return;
    }
    if (envelope.sp.type !== 'offer') return; // stale candidate or answer of a link we dropped
    if (existing) {
      // Glare: both sides offered. The lower id's offer wins on both ends, so
      // exactly one link survives without another round trip.
      if (existing.initiator && existing.state === 'connecting' && this.options.selfId < from) return;
      this.remove(existing, existing.state === 'open');
    }
    const link = this.create(from, envelope.sid, false);
    this.feed(link, envelope.sp);
  }

  private feed(link: Link, sp: SimplePeer.SignalData): void {
    try {
      link.sp.signal(sp);
    } catch {
      this.remove(link, true);
    }
  }

  private create(peer: string, sid: string, initiator: boolean): Link {
    const options: SimplePeer.Options = { initiator, trickle: true };
    if (this.options.rtcConfig) options.config = this.options.rtcConfig;
    if (this.options.wrtc) options.wrtc = this.options.wrtc as SimplePeer.Options['wrtc'];
    const sp = new SimplePeer(options);
    const link: Link = { peer, sid, initiator, sp, state: 'connecting', openedAt: null, timer: null, early: [] };
    this.links.set(peer, link);
    link.timer = setTimeout(() => {
      if (link.state === 'connecting') this.remove(link, true);
    }, this.options.handshakeTimeoutMs);

    sp.on('signal', (data: SimplePeer.SignalData) => {
      if (this.links.get(peer) !== link) return;
      this.options.sendSignal(peer, { sid, sp: data as unknown as JsonValue });
    });
    sp.on('connect', () => {
      if (this.links.get(peer) !== link) return;
      link.state = 'open';
      link.openedAt = this.options.now();
      if (link.timer) clearTimeout(link.timer);
      link.timer = null;
      this.emit('up', peer);
      for (const bytes of link.early.splice(0)) {
        if (this.links.get(peer) === link) this.emit('data', peer, bytes);
      }
    });
    sp.on('data', (chunk: Uint8Array) => {
      if (this.links.get(peer) !== link) return;
      const bytes = chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk);
      if (link.state === 'open') this.emit('data', peer, bytes);
      else if (link.early.length < 64) link.early.push(bytes);
    });
    const gone = () => {
      if (this.links.get(peer) === link) this.remove(link, true);
    };
    sp.on('close', gone);
    sp.on('error', gone);
    return link;
  }

  private remove(link: Link, notify: boolean): void {
    if (this.links.get(link.peer) !== link) return;
    this.links.delete(link.peer);
    if (link.timer) clearTimeout(link.timer);
    link.sp.removeAllListeners('signal');
    link.sp.removeAllListeners('data');
    link.sp.removeAllListeners('connect');
    link.sp.on('error', () => {});
    link.sp.destroy();
    if (notify) this.emit('down', link.peer);
  }
}
