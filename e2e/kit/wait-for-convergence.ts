/**
 * Poll every user's view of the room until they agree, with a deadline; on
 * timeout, throw an error that lists who disagrees about what.
 */
import { findDisagreements, type LabelledSnapshot } from './convergence.js';
import type { UserSnapshot } from './snapshot.js';
import type { User } from './user.js';

export interface ConvergenceOptions {
  /** Give up after this long. Default 15,000 ms. */
  timeoutMs?: number;
  /** Pause between polls. Default 100 ms. */
  intervalMs?: number;
  /** Users the kit knows about but that should be gone (killed, closed): named in explanations. */
  known?: readonly User[];
}

export class ConvergenceError extends Error {
  readonly code = 'MURMUR_KIT_NOT_CONVERGED';
  readonly problems: readonly string[];

  constructor(message: string, problems: readonly string[]) {
    super(message);
    this.name = 'ConvergenceError';
    this.problems = problems;
  }
}

/**
 * Resolves with each user's snapshot once every live user in `users` sees the
 * same peer set, the same presence for each peer and the same Yjs state vector.
 * Users that were killed or closed are left out (they should be gone).
 */
export async function waitForConvergence(users: readonly User[], options: ConvergenceOptions = {}): Promise<UserSnapshot[]> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const live = users.filter((user) => user.state === 'live');
  const names = new Map<string, string>();
  for (const user of [...(options.known ?? []), ...users]) {
    names.set(user.id, user.state === 'live' ? user.label : `${user.state} ${user.label}`);
  }
  const started = Date.now();
  const deadline = started + timeoutMs;
  let problems: string[] = [];
  for (;;) {
    const results = await Promise.allSettled(live.map((user) => user.snapshot()));
    const snapshots: LabelledSnapshot[] = [];
    problems = [];
    results.forEach((result, i) => {
      const user = live[i]!;
      if (result.status === 'fulfilled') snapshots.push({ label: user.label, snapshot: result.value });
      else problems.push(`${user.label} (${user.id}) could not be read: ${(result.reason as Error).message.split('\n')[0]}`);
    });
    if (problems.length === 0) problems = findDisagreements(snapshots, names);
    if (problems.length === 0) return snapshots.map((s) => s.snapshot);
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const roster = live.map((user) => `${user.label}=${user.id}`).join(', ');
  // Page errors often explain a disagreement (an exception that stopped a tab's timers, say).
  for (const user of new Set([...(options.known ?? []), ...users])) {
    for (const error of (user.errors ?? []).slice(-10)) problems.push(`${user.label} page error: ${error}`);
  }
  throw new ConvergenceError(
    `${live.length} users did not converge within ${timeoutMs} ms (${roster}):\n  - ${problems.join('\n  - ')}`,
    problems,
  );
}
