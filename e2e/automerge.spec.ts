/**
 * murmur-mesh/automerge in the browser: two tabs (separate contexts, so
 * WebRTC carries it), each with an automerge-repo Repo on
 * MurmurNetworkAdapter over one murmur room, share an Automerge document.
 */
import type { Browser, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { expect, test } from './kit/index.js';
import { buildInteropPage } from './support/interop-pages.js';

let pagePath: string;

interface PageApi {
  startAutomerge(room: string, signaling: string): Promise<void>;
  automerge: { peers(): number; create(text: string): string; open(url: string): Promise<void>; text(): string | undefined; setText(t: string): void };
}

test.beforeAll(async () => {
  pagePath = await buildInteropPage('automerge', 'e2e/support/automerge-page.ts');
});

async function open(browser: Browser, baseUrl: string, room: string, signaling: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}${pagePath}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.evaluate(([r, s]) => (globalThis as unknown as PageApi).startAutomerge(r, s), [room, signaling] as const);
  return page;
}

test('two tabs share an Automerge document through MurmurNetworkAdapter', async ({ browser, signaling }) => {
  const room = `am-${randomBytes(4).toString('hex')}`;
  const first = await open(browser, signaling.baseUrl, room, signaling.url);
  const second = await open(browser, signaling.baseUrl, room, signaling.url);
  try {
    const url = await first.evaluate(() => (globalThis as unknown as PageApi).automerge.create('written in the first tab'));
    await expect.poll(() => second.evaluate(() => (globalThis as unknown as PageApi).automerge.peers())).toBe(1);
    await second.evaluate((u) => (globalThis as unknown as PageApi).automerge.open(u), url);
    expect(await second.evaluate(() => (globalThis as unknown as PageApi).automerge.text())).toBe('written in the first tab');
    await second.evaluate(() => (globalThis as unknown as PageApi).automerge.setText('changed in the second tab'));
    await expect.poll(() => first.evaluate(() => (globalThis as unknown as PageApi).automerge.text())).toBe('changed in the second tab');
  } finally {
    await first.context().close();
    await second.context().close();
  }
});
