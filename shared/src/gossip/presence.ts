/**
 * Our own presence: checked against the limit before anything changes,
 * versioned, and coalesced to one broadcast per `presenceThrottleMs`
 * (Liveblocks' throttle). The layer decides when; the router publishes it
 * once we have announced ourselves.
 */
import type { Presence as PresenceValue } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';
import type { Context } from './context.js';
import type { Membership } from './membership.js';
import { nextCounter } from './wire/counter.js';
import { utf8Length } from './wire/presence-json.js';

export class Presence {
  private readonly ctx: Context;
  private readonly membership: Membership;
  private dirty = false;
  private lastAt = -Infinity;

  constructor(ctx: Context, membership: Membership) {
    this.ctx = ctx;
    this.membership = membership;
  }

  /** The app replaced our presence. Throws MurmurError(BAD_ARGUMENT), changing nothing, if it is over the limit. */
  set(presence: PresenceValue): void {
    const json = JSON.stringify(presence);
    if (utf8Length(json) > this.ctx.config.limits.maxPresenceBytes) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `presence JSON is over maxPresenceBytes (${this.ctx.config.limits.maxPresenceBytes})`);
    }
    const self = this.membership.self;
    self.presenceVersion = nextCounter(self.presenceVersion);
    self.presence = presence;
    self.presenceJson = json;
    this.membership.setSelfStatus('alive');
    this.dirty = true;
    const due = this.lastAt + this.ctx.config.presence.throttleMs;
    if (this.ctx.now >= due) this.flush();
    else this.ctx.setTimer('presence', due);
  }

  onTimer(): void {
    if (this.dirty) this.flush();
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
