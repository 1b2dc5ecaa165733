/**
 * Our own presence: checked against the limit before anything changes,
 * versioned, and coalesced to one broadcast per `presenceThrottleMs`
 * (Liveblocks' throttle). The layer decides when; the router publishes it
 * once we have announced ourselves.
 */
import type { Presence as PresenceValue } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';
import type { Context } from './context.js';
import type { Membership, SignedPresence } from './membership.js';
import { presenceSigned } from './trust.js';
import { nextCounter } from './wire/counter.js';
import { utf8Length } from './wire/presence-json.js';

/**
 * Our presence at `version`, signed: every set and every outbid signs once
 * (about 0.2 ms in Chromium with @noble/curves, docs/TRUST-ENGINE.md), so a
 * record of ours is always signed whichever version a neighbour copies.
 */
export function signPresence(ctx: Context, version: number, presence: PresenceValue, json: string): SignedPresence {
  const { trust } = ctx.config;
  return { version, presence, json, key: trust.publicKey, signature: trust.sign(presenceSigned(ctx.self, version, json)) };
}

export class Presence {
  private readonly ctx: Context;
  private readonly membership: Membership;
  private dirty = false;
  private lastAt = -Infinity;

  constructor(ctx: Context, membership: Membership) {
    this.ctx = ctx;
    this.membership = membership;
  }

  /**
   * The bytes `set(presence)` would sign now (trust.ts presenceSigned), so a
   * driver can sign them ahead with an asynchronous signer; undefined if
   * `set` would refuse the presence.
   */
  toSign(presence: PresenceValue): Uint8Array | undefined {
    const next = this.next(presence);
    return next && presenceSigned(this.ctx.self, next.version, next.json);
  }

  /** The app replaced our presence. Throws MurmurError(BAD_ARGUMENT), changing nothing, if it is over the limit. */
  set(presence: PresenceValue): void {
    const next = this.next(presence);
    if (!next) throw new MurmurError(ErrorCode.BAD_ARGUMENT, `presence JSON is over maxPresenceBytes (${this.ctx.config.limits.maxPresenceBytes})`);
    this.membership.setSelfPresence(signPresence(this.ctx, next.version, presence, next.json));
    this.membership.setSelfStatus('alive');
    this.dirty = true;
    const due = this.lastAt + this.ctx.config.presence.throttleMs;
    if (this.ctx.now >= due) this.flush();
    else this.ctx.setTimer('presence', due);
  }

  onTimer(): void {
    if (this.dirty) this.flush();
  }

  /** The version and JSON `presence` would be set at, or undefined if it is over the limit. */
  private next(presence: PresenceValue): { version: number; json: string } | undefined {
    const json = JSON.stringify(presence);
    if (utf8Length(json) > this.ctx.config.limits.maxPresenceBytes) return undefined;
    return { version: nextCounter(this.membership.self.presenceVersion), json };
  }

  /** Sends our presence now (first neighbour: the announcement carries it). */
  flush(): void {
    this.dirty = false;
    this.lastAt = this.ctx.now;
    this.ctx.raise({ type: 'presence-due' });
  }

  /** Test-only: what must always hold. */
  checkInvariants(): string | undefined {
    if (this.dirty && this.ctx.deadline('presence') === undefined) return 'presence changed but no flush is armed';
    return undefined;
  }
}
