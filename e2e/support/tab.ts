/**
 * One user in its own browser context on the harness page, joined to a room
 * through the public bundle. Helpers read the room's state from the page.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';

export interface TabSnapshot {
  selfId: string;
  peers: string[];
  presence: Record<string, Record<string, unknown>>;
  links: Array<{ peer: string; state: string; openedAt: number | null }>;
  now: number;
}

interface PageRoom {
  selfId: string;
  peers: Map<string, { id: string; presence: Record<string, unknown> }>;
  presence: { update(patch: Record<string, unknown>): void };
  debug: { links(): Array<{ peer: string; state: string; openedAt: number | null }> };
  leave(): void;
}

export class Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  selfId = '';

  private constructor(context: BrowserContext, page: Page) {
    this.context = context;
    this.page = page;
  }

  static async open(browser: Browser, baseUrl: string): Promise<Tab> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}dist/harness.html`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    return new Tab(context, page);
  }

  async join(room: string, options: Record<string, unknown>): Promise<string> {
    this.selfId = await this.page.evaluate(
      ({ room, options }) => {
        const g = globalThis as unknown as { murmur: { joinRoom(r: string, o: unknown): PageRoom }; room: PageRoom };
        g.room = g.murmur.joinRoom(room, options);
        return g.room.selfId;
      },
      { room, options },
    );
    return this.selfId;
  }

  snapshot(): Promise<TabSnapshot> {
    return this.page.evaluate(() => {
      const room = (globalThis as unknown as { room: PageRoom }).room;
      return {
        selfId: room.selfId,
        peers: [...room.peers.keys()].sort(),
        presence: Object.fromEntries([...room.peers.values()].map((p) => [p.id, p.presence])),
        links: room.debug.links().map((l) => ({ peer: l.peer, state: l.state, openedAt: l.openedAt })),
        now: performance.now(),
      };
    });
  }

  updatePresence(patch: Record<string, unknown>): Promise<void> {
    return this.page.evaluate((patch) => (globalThis as unknown as { room: PageRoom }).room.presence.update(patch), patch);
  }

  /** Close the tab the way a user does: pagehide fires and the room says goodbye. */
  async close(): Promise<void> {
    await this.context.close();
  }

  /** Kill the tab's renderer: no pagehide, no goodbye; peers must find out by probing. */
  async kill(): Promise<void> {
    const cdp = await this.context.newCDPSession(this.page);
    void cdp.send('Page.crash').catch(() => {});
    await this.page.waitForEvent('crash', { timeout: 10_000 }).catch(() => {});
    await this.context.close().catch(() => {});
  }
}
