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
  /** Smoothed round trip over this link from the engine's probe acks, ms (null until measured). */
  rttMs: number | null;
}

const zero = (): TrafficCounters => ({ messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 });

export class TrafficStats {
  private readonly total = zero();
  private readonly perPeer = new Map<PeerId, TrafficCounters>();

  record(direction: 'in' | 'out', peer: PeerId, bytes: number): void {
    let counters = this.perPeer.get(peer);
    if (!counters) {
      counters = zero();
      this.perPeer.set(peer, counters);
    }
    for (const target of [this.total, counters]) {
      if (direction === 'in') {
        target.messagesIn += 1;
        target.bytesIn += bytes;
      } else {
        target.messagesOut += 1;
        target.bytesOut += bytes;
      }
    }
  }

  /** A link closed: its per-link counters go (totals stay). */
  forget(peer: PeerId): void {
    this.perPeer.delete(peer);
  }

  totals(): TrafficCounters {
    return { ...this.total };
  }

  /** Per-link counters, with each link's round trip as the engine measured it. */
  links(rttMs: Readonly<Record<PeerId, number>>): LinkTraffic[] {
    return [...this.perPeer].map(([peer, counters]) => ({ peer, ...counters, rttMs: rttMs[peer] ?? null }));
  }
}
