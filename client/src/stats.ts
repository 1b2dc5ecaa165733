/**
 * Traffic counters for `room.stats()` and the inspector: frames and bytes
 * in and out, in total and per neighbour, counted where the Room hands
 * bytes to links and takes them from links (everything on the wire:
 * presence, gossip, doc sync, app messages).
 */
import type { PeerId } from '../../shared/src/engine/types.js';

export interface TrafficCounters {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export interface LinkTraffic extends TrafficCounters {
  peer: PeerId;
  /** Last measured app-level round trip over this link, ms (null until measured). */
  rttMs: number | null;
}

const zero = (): TrafficCounters => ({ messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 });

export class TrafficStats {
  private readonly total = zero();
  private readonly perPeer = new Map<PeerId, TrafficCounters & { rttMs: number | null }>();

  recordIn(from: PeerId, bytes: number): void {
    this.total.messagesIn += 1;
    this.total.bytesIn += bytes;
    const peer = this.peer(from);
    peer.messagesIn += 1;
    peer.bytesIn += bytes;
  }

  recordOut(to: PeerId, bytes: number): void {
    this.total.messagesOut += 1;
    this.total.bytesOut += bytes;
    const peer = this.peer(to);
    peer.messagesOut += 1;
    peer.bytesOut += bytes;
  }

  recordRtt(peer: PeerId, rttMs: number): void {
    this.peer(peer).rttMs = rttMs;
  }

  /** A link closed: its per-link counters go (totals stay). */
  forget(peer: PeerId): void {
    this.perPeer.delete(peer);
  }

  totals(): TrafficCounters {
    return { ...this.total };
  }

  links(): LinkTraffic[] {
    return [...this.perPeer].map(([peer, counters]) => ({ peer, ...counters }));
  }

  private peer(id: PeerId): TrafficCounters & { rttMs: number | null } {
    let counters = this.perPeer.get(id);
    if (!counters) {
      counters = { ...zero(), rttMs: null };
      this.perPeer.set(id, counters);
    }
    return counters;
  }
}
