/**
 * Holds a peer's 'peer-join' until its presence has arrived. Membership
 * spreads ahead of presence (a peer is known alive from a digest or a link
 * before its presence record reaches us), so without this the app's
 * `peer-join` listener saw `{}` and the presence a few ms later. A peer that
 * never publishes a presence is admitted with `{}` after `holdMs`.
 */
import type { PeerId, Presence } from '../../shared/src/engine/types.js';

/** Longest a join waits for the peer's first presence. */
export const JOIN_HOLD_MS = 2000;

export class JoinGate {
  private readonly held = new Map<PeerId, ReturnType<typeof setTimeout>>();
  private readonly admit: (peer: PeerId, presence: Presence) => void;
  private readonly holdMs: number;

  constructor(admit: (peer: PeerId, presence: Presence) => void, holdMs = JOIN_HOLD_MS) {
    this.admit = admit;
    this.holdMs = holdMs;
  }

  /** The engine says `peer` joined: admit now if its presence came along, else hold. */
  join(peer: PeerId, presence: Presence): void {
    if (Object.keys(presence).length > 0) {
      this.admit(peer, presence);
      return;
    }
    if (this.held.has(peer)) return;
    this.held.set(
      peer,
      setTimeout(() => {
        this.held.delete(peer);
        this.admit(peer, {});
      }, this.holdMs),
    );
  }

  /** A presence arrived; true if it completed a held join (already admitted with it). */
  presence(peer: PeerId, presence: Presence): boolean {
    const timer = this.held.get(peer);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.held.delete(peer);
    this.admit(peer, presence);
    return true;
  }

  /** The peer left; true if it was still held (the app never heard of it). */
  leave(peer: PeerId): boolean {
    const timer = this.held.get(peer);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.held.delete(peer);
    return true;
  }

  clear(): void {
    for (const timer of this.held.values()) clearTimeout(timer);
    this.held.clear();
  }
}
