/**
 * y-protocols' Awareness drops a remote state not renewed for 30 s
 * (`outdatedTimeout`). In murmur, presence already tells liveness: a member's
 * awareness state lasts while it is a member, so every state mirrored from
 * presence is renewed each `refreshMs`. Sans-IO: `handle(input, now)` says
 * when to renew and when to wake up; the client's AwarenessBridge does the
 * renewing (it holds the Awareness), with real time.
 */
export type RenewalInput = { type: 'start' } | { type: 'timer' } | { type: 'stop' };

export type RenewalOutput =
  /** Mark every mirrored remote state as updated at `at`. */
  | { type: 'renew'; at: number }
  /** Deliver `{ type: 'timer' }` at `at`; re-arming replaces. */
  | { type: 'set-timer'; at: number }
  | { type: 'clear-timer' };

/** Renewal period, ms: a third of y-protocols' 30 s timeout, so two renewals may be late without a state dropping. */
export const AWARENESS_REFRESH_MS = 10_000;

export class AwarenessRenewal {
  private readonly refreshMs: number;
  private stopped = false;

  constructor(refreshMs = AWARENESS_REFRESH_MS) {
    this.refreshMs = refreshMs;
  }

  handle(input: RenewalInput, now: number): RenewalOutput[] {
    if (this.stopped) return [];
    switch (input.type) {
      case 'start':
        return [{ type: 'set-timer', at: now + this.refreshMs }];
      case 'timer':
        return [
          { type: 'renew', at: now },
          { type: 'set-timer', at: now + this.refreshMs },
        ];
      case 'stop':
        this.stopped = true;
        return [{ type: 'clear-timer' }];
    }
  }
}
