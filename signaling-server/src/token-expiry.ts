/**
 * Expiry enforced on open sockets: a token's `expiresAt` ends relaying at that
 * moment, not only new joins. setTimeout holds at most ~24.8 days, so a later
 * expiry re-arms until it is due.
 */
const MAX_TIMER_MS = 2_147_483_647;

export interface Expiry {
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Call `onExpired` at `expiresAt` (ms since epoch); undefined when it never expires. */
export function armExpiry(expiresAt: number, onExpired: () => void, now: () => number = Date.now): Expiry | undefined {
  if (!Number.isFinite(expiresAt)) return undefined;
  const expiry: Expiry = { timer: undefined };
  const arm = () => {
    expiry.timer = setTimeout(() => {
      if (now() >= expiresAt) onExpired();
      else arm();
    }, Math.min(Math.max(0, expiresAt - now()), MAX_TIMER_MS));
    expiry.timer.unref();
  };
  arm();
  return expiry;
}

export function cancelExpiry(expiry: Expiry | undefined): void {
  if (expiry?.timer !== undefined) clearTimeout(expiry.timer);
}
