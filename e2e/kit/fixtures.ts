/**
 * Playwright fixtures: `signaling`, a murmur signaling server per worker on a
 * free port (serving the built dist/), and `murmur`, which spawns users into a
 * room per test and closes them afterwards.
 */
import { test as base } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { startTestSignaling, type TestSignaling } from './signaling.js';
import { User, type OpenUserOptions } from './user.js';
import { waitForConvergence, type ConvergenceOptions } from './wait-for-convergence.js';
import type { UserSnapshot } from './snapshot.js';

export interface SpawnOptions {
  /** Room to join. Default: one fresh room per test (`murmur.room`). */
  room?: string;
  /** See OpenUserOptions.pageUrl. Default: the kit's harness page. */
  pageUrl?: OpenUserOptions['pageUrl'];
  /** Initial presence, or a function of the user's index. Default on the harness page: { name: 'user<index>' }. */
  presence?: Record<string, unknown> | ((index: number) => Record<string, unknown>);
  /** Extra joinRoom options for the harness page (rtcConfig, maxLinks, …). */
  joinOptions?: Record<string, unknown>;
  contextOptions?: OpenUserOptions['contextOptions'];
  timeoutMs?: number;
}

/** `User[]` of length N when N is a literal, so `const [a, b] = await spawn(2)` needs no `!`. */
export type Users<N extends number, Acc extends User[] = []> = number extends N
  ? User[]
  : Acc['length'] extends N
    ? Acc
    : Users<N, [...Acc, User]>;

export interface MurmurKit {
  /** This test's default room id. */
  readonly room: string;
  /** Every user spawned in this test, in spawn order (also killed and closed ones). */
  readonly users: readonly User[];
  /** Open `n` users, each in its own browser context, joined to the room. */
  spawn<N extends number>(n: N, options?: SpawnOptions): Promise<Users<N>>;
  /** See waitForConvergence; `users` defaults to every live user of this test. */
  waitForConvergence(users?: readonly User[], options?: ConvergenceOptions): Promise<UserSnapshot[]>;
}

export interface KitWorkerOptions {
  /** Directory the signaling server serves at `/` and `/dist/` (default: murmur's built dist/). */
  murmurStaticDir: string | undefined;
}

export const test = base.extend<{ murmur: MurmurKit }, { signaling: TestSignaling } & KitWorkerOptions>({
  murmurStaticDir: [undefined, { scope: 'worker', option: true }],
  signaling: [
    async ({ murmurStaticDir }, use) => {
      const signaling = await startTestSignaling({ staticDir: murmurStaticDir });
      await use(signaling);
      await signaling.stop();
    },
    { scope: 'worker' },
  ],
  murmur: async ({ browser, signaling }, use) => {
    const users: User[] = [];
    const room = `kit-${randomBytes(6).toString('hex')}`;
    const kit: MurmurKit = {
      room,
      users,
      spawn: async <N extends number>(n: N, options: SpawnOptions = {}): Promise<Users<N>> => {
        if (!Number.isInteger(n) || n < 1) throw new Error(`spawn(n) needs a positive integer, got ${String(n)}`);
        if (!signaling.running) throw new Error('signaling is stopped: call signaling.start() before spawning users');
        const first = users.length;
        const spawned = await Promise.all(
          Array.from({ length: n }, (_, k) => {
            const index = first + k;
            const presence =
              typeof options.presence === 'function'
                ? options.presence(index)
                : (options.presence ?? (options.pageUrl === undefined ? { name: `user${index}` } : undefined));
            return User.open({
              browser,
              index,
              room: options.room ?? room,
              signaling: signaling.url,
              baseUrl: signaling.baseUrl,
              pageUrl: options.pageUrl,
              presence,
              joinOptions: options.joinOptions,
              contextOptions: options.contextOptions,
              timeoutMs: options.timeoutMs,
            });
          }),
        );
        users.push(...spawned);
        return spawned as Users<N>;
      },
      waitForConvergence: (only, options = {}) => waitForConvergence(only ?? users, { known: users, ...options }),
    };
    await use(kit);
    await Promise.all(users.map((user) => user.dispose()));
    // A test that stopped the server leaves it running for the next one.
    await signaling.start();
  },
});

export { expect } from '@playwright/test';
