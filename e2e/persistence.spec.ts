/**
 * Rooms that keep their document.
 * - Keeper: a tab writes, every tab closes, the murmur-signal --keep process
 *   is killed (-9) and started again; a new tab (fresh browser storage) joins
 *   and sees the document, served by the keeper from its LevelDB.
 * - IndexedDB: a tab with persist: true writes; the signaling server stops;
 *   the page reloads and shows the document at once, with no peer and no server.
 */
import type { Browser, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, startTestSignaling, test } from './kit/index.js';
import { startSignalProcess } from '../signaling-server/src/signal-process.js';
import { buildInteropPage } from './support/interop-pages.js';

interface PageApi {
  startRoom(room: string, signaling: string, persist: boolean): void;
  murmurPage: { text(): string; insert(t: string): void; status(): string; syncedAfterMs(): number | null; storedRows(): Promise<number> };
}

let pagePath: string;

test.beforeAll(async () => {
  pagePath = await buildInteropPage('persist', 'e2e/support/persist-page.ts');
});

async function openTab(page: Page, baseUrl: string, room: string, signaling: string, persist: boolean): Promise<void> {
  await page.goto(`${baseUrl}${pagePath}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.evaluate(([r, s, p]) => (globalThis as unknown as PageApi).startRoom(r, s, p), [room, signaling, persist] as const);
}

async function newTab(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test('the keeper serves a room whose every tab closed, after its process was killed and restarted', async ({ browser, signaling }) => {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keep-e2e-'));
  const room = `kept-${randomBytes(4).toString('hex')}`;
  let server = await startSignalProcess(['--port', '0', '--keep', dir]);
  try {
    const writer = await newTab(browser);
    await openTab(writer, signaling.baseUrl, room, server.url, false);
    await expect.poll(() => writer.evaluate(() => (globalThis as unknown as PageApi).murmurPage.status())).toBe('connected');
    await writer.evaluate(() => (globalThis as unknown as PageApi).murmurPage.insert('survives every tab and a kill -9'));
    const metricsUrl = server.url.replace('ws://', 'http://').replace('/signal', '/metrics');
    await expect
      .poll(async () => Number(/^murmur_keeper_updates_stored_total (\d+)/m.exec(await (await fetch(metricsUrl)).text())?.[1] ?? 0))
      .toBeGreaterThan(0);
    await writer.context().close();
    await server.kill();
    server = await startSignalProcess(['--port', '0', '--keep', dir]);

    const reader = await newTab(browser);
    await openTab(reader, signaling.baseUrl, room, server.url, false);
    await expect.poll(() => reader.evaluate(() => (globalThis as unknown as PageApi).murmurPage.text())).toBe('survives every tab and a kill -9');
    await expect.poll(() => reader.evaluate(() => (globalThis as unknown as PageApi).murmurPage.syncedAfterMs())).not.toBeNull();
    await reader.context().close();
  } finally {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('persist: true: a reload with the server down shows the stored document at once', async ({ browser, signaling }) => {
  const room = `idb-${randomBytes(4).toString('hex')}`;
  const roomServer = await startTestSignaling({ staticDir: null });
  const tab = await newTab(browser);
  try {
    await openTab(tab, signaling.baseUrl, room, roomServer.url, true);
    await expect.poll(() => tab.evaluate(() => (globalThis as unknown as PageApi).murmurPage.syncedAfterMs())).not.toBeNull();
    await tab.evaluate(() => (globalThis as unknown as PageApi).murmurPage.insert('stored in this browser'));
    // y-indexeddb stores the initial state, then one row per update.
    await expect.poll(() => tab.evaluate(() => (globalThis as unknown as PageApi).murmurPage.storedRows())).toBeGreaterThanOrEqual(2);
    await roomServer.stop();

    await tab.reload();
    await tab.waitForFunction(() => document.documentElement.dataset.ready === 'true');
    const shownAfterMs = await tab.evaluate(async ([r, s]) => {
      const api = globalThis as unknown as PageApi;
      const started = performance.now();
      api.startRoom(r, s, true);
      while (api.murmurPage.text() === '') await new Promise((resolve) => setTimeout(resolve, 5));
      return performance.now() - started;
    }, [room, roomServer.url] as const);
    expect(await tab.evaluate(() => (globalThis as unknown as PageApi).murmurPage.text())).toBe('stored in this browser');
    // No server and no peer: the text came from IndexedDB.
    expect(await tab.evaluate(() => (globalThis as unknown as PageApi).murmurPage.status())).not.toBe('connected');
    console.log(`persist: true: stored document shown ${shownAfterMs.toFixed(0)} ms after joinRoom, server down`);
    expect(shownAfterMs).toBeLessThan(2000);
  } finally {
    await tab.context().close();
    await roomServer.stop();
  }
});
