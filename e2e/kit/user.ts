/**
 * One user: a browser context of its own (tabs in one context would share a
 * BroadcastChannel and could skip WebRTC) with one page joined to a room.
 * The page exposes its Room as `globalThis.murmurRoom`; on the default
 * harness page the kit calls `joinRoom` itself.
 */
import type { Browser, BrowserContext, BrowserContextOptions, JSHandle, Page } from '@playwright/test';
import type { Presence, Room } from '../../client/src/index.js';
import { readSnapshot, type PageRoom, type UserSnapshot } from './snapshot.js';

export type UserState = 'live' | 'closed' | 'killed';

export interface PageUrlInfo {
  /** This user's number in its fixture, from 0. */
  index: number;
  room: string;
  /** The signaling server's ws:// URL. */
  signaling: string;
}

export interface OpenUserOptions {
  browser: Browser;
  index: number;
  room: string;
  signaling: string;
  /** Base for relative page URLs: the signaling server's http:// origin. */
  baseUrl: string;
  /**
   * The page to open. Default: the harness page, which the kit joins itself.
   * A string may hold `{room}`, `{index}` and `{signaling}` placeholders; a
   * relative one resolves against the signaling server's origin. Your page
   * must call joinRoom and set `globalThis.murmurRoom` to the Room.
   */
  pageUrl?: string | ((info: PageUrlInfo) => string);
  /** Initial presence. On the harness page it is passed to joinRoom; on your page it is applied with presence.update once the room is exposed. */
  presence?: Record<string, unknown>;
  /** Extra joinRoom options (harness page only): rtcConfig, maxLinks, presenceThrottleMs… */
  joinOptions?: Record<string, unknown>;
  contextOptions?: BrowserContextOptions;
  /** How long to wait for the page to load and expose its room. Default 20,000 ms. */
  timeoutMs?: number;
}

export const HARNESS_PATH = 'dist/harness.html';

export function resolvePageUrl(options: Pick<OpenUserOptions, 'pageUrl' | 'index' | 'room' | 'signaling' | 'baseUrl'>): string {
  const info: PageUrlInfo = { index: options.index, room: options.room, signaling: options.signaling };
  const raw = typeof options.pageUrl === 'function' ? options.pageUrl(info) : (options.pageUrl ?? HARNESS_PATH);
  const filled = raw
    .replaceAll('{room}', encodeURIComponent(options.room))
    .replaceAll('{index}', String(options.index))
    .replaceAll('{signaling}', encodeURIComponent(options.signaling));
  return new URL(filled, options.baseUrl).href;
}

export class User {
  readonly index: number;
  readonly context: BrowserContext;
  readonly page: Page;
  /** This user's peer id in the room. */
  readonly id: string;
  /** Uncaught exceptions and console errors from the page, oldest first (at most 50): convergence failures quote them. */
  readonly errors: readonly string[];
  private roomHandle: JSHandle<PageRoom>;
  private currentState: UserState = 'live';

  private constructor(index: number, context: BrowserContext, page: Page, id: string, roomHandle: JSHandle<PageRoom>, errors: string[]) {
    this.index = index;
    this.context = context;
    this.page = page;
    this.id = id;
    this.roomHandle = roomHandle;
    this.errors = errors;
  }

  static async open(options: OpenUserOptions): Promise<User> {
    const timeout = options.timeoutMs ?? 20_000;
    const context = await options.browser.newContext(options.contextOptions);
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const note = (text: string) => {
        if (errors.length < 50) errors.push(text.split('\n').slice(0, 3).join(' | '));
      };
      page.on('pageerror', (error) => note(`uncaught ${error.stack ?? error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') note(`console.error ${message.text()}`);
      });
      const url = resolvePageUrl(options);
      await page.goto(url, { timeout });
      const harness = url === new URL(HARNESS_PATH, options.baseUrl).href;
      if (harness) {
        await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', undefined, { timeout });
        await page.evaluate(
          ({ room, join }) => {
            const g = globalThis as unknown as { murmur: { joinRoom(r: string, o: unknown): PageRoom }; murmurRoom: PageRoom };
            g.murmurRoom = g.murmur.joinRoom(room, join);
          },
          { room: options.room, join: { signaling: options.signaling, presence: options.presence ?? {}, ...options.joinOptions } },
        );
      } else {
        await page
          .waitForFunction(() => Boolean((globalThis as { murmurRoom?: unknown }).murmurRoom), undefined, { timeout })
          .catch((error: Error) => {
            throw new Error(`${url} did not set globalThis.murmurRoom within ${timeout} ms (the kit's page contract): ${error.message}`);
          });
        if (options.presence) {
          await page.evaluate((patch) => (globalThis as unknown as { murmurRoom: PageRoom }).murmurRoom.presence.update(patch), options.presence);
        }
      }
      const handle = (await page.evaluateHandle(() => (globalThis as unknown as { murmurRoom: PageRoom }).murmurRoom)) as JSHandle<PageRoom>;
      const id = await handle.evaluate((room) => room.selfId);
      return new User(options.index, context, page, id, handle, errors);
    } catch (error) {
      await context.close().catch(() => {});
      throw error;
    }
  }

  /** 'live', or how it ended. */
  get state(): UserState {
    return this.currentState;
  }

  /** "user[2]", as convergence explanations name it. */
  get label(): string {
    return `user[${this.index}]`;
  }

  /**
   * Run a function in the page with the Room (typed as murmur's Room) as
   * its first argument, e.g. `user.evaluate((room, n) => room.presence.update({ n }), 3)`.
   * The function is serialized into the page: it sees only its arguments.
   */
  evaluate<R, Arg>(fn: (room: Room, arg: Arg) => R | Promise<R>, arg: Arg): Promise<R>;
  evaluate<R>(fn: (room: Room) => R | Promise<R>): Promise<R>;
  evaluate<R, Arg>(fn: (room: Room, arg: Arg) => R | Promise<R>, arg?: Arg): Promise<R> {
    this.assertLive();
    // Playwright's own types unbox JSHandle arguments; ours are plain JSON.
    const run = this.roomHandle.evaluate.bind(this.roomHandle) as (f: typeof fn, a: Arg | undefined) => Promise<R>;
    return run(fn, arg);
  }

  /** The room as this user sees it: peers, presence, Yjs state vector, links. */
  snapshot(): Promise<UserSnapshot> {
    // Passed as is: the function is serialized into the page, where nothing else of the kit exists.
    return this.evaluate(readSnapshot as unknown as (room: Room) => UserSnapshot);
  }

  /** Ids of the other peers this user sees, sorted. */
  async peers(): Promise<string[]> {
    return (await this.snapshot()).peers;
  }

  /** Shallow-merge into this user's presence and share it. */
  updatePresence(patch: Record<string, unknown>): Promise<void> {
    return this.evaluate((room, p) => room.presence.update(p as Presence), patch);
  }

  /** Close every WebRTC link of this user at once, as a network cut would. */
  dropLinks(): Promise<void> {
    return this.evaluate((room) => {
      if (!room.debug?.dropLinks) throw new Error('this Room has no debug.dropLinks()');
      room.debug.dropLinks();
    });
  }

  /** This user stops talking to the signaling server (its mesh links stay); resumeSignaling() undoes it. */
  stopSignaling(): Promise<void> {
    return this.evaluate((room) => room.debug?.stopSignaling?.());
  }

  resumeSignaling(): Promise<void> {
    return this.evaluate((room) => room.debug?.resumeSignaling?.());
  }

  /**
   * Close the tab the way a user does: beforeunload and pagehide run, so the
   * room says goodbye. Then the context goes.
   */
  async close(): Promise<void> {
    if (this.currentState !== 'live') return;
    this.currentState = 'closed';
    const closed = this.page.waitForEvent('close', { timeout: 5_000 }).catch(() => {});
    await this.page.close({ runBeforeUnload: true }).catch(() => {});
    await closed;
    await this.context.close().catch(() => {});
    // A page that outlived both would still be in the room: fail here, not as a "ghost" later.
    if (!this.page.isClosed()) throw new Error(`${this.label} (${this.id}) did not close`);
  }

  /** Crash the renderer (CDP Page.crash): no pagehide, no goodbye. Peers must notice by themselves. */
  async kill(): Promise<void> {
    if (this.currentState !== 'live') return;
    this.currentState = 'killed';
    const cdp = await this.context.newCDPSession(this.page);
    const crashed = this.page.waitForEvent('crash', { timeout: 10_000 }).catch(() => {});
    void cdp.send('Page.crash').catch(() => {});
    await crashed;
    await this.context.close().catch(() => {});
  }

  /** Close without ceremony (fixture teardown). */
  async dispose(): Promise<void> {
    if (this.currentState === 'live') this.currentState = 'closed';
    await this.context.close().catch(() => {});
  }

  private assertLive(): void {
    if (this.currentState !== 'live') throw new Error(`${this.label} (${this.id}) was ${this.currentState}; it has no room to read`);
  }
}
