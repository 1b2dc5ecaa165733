/**
 * murmur-signal as a drop-in for y-webrtc's server: two pages with the stock
 * y-webrtc package and `signaling: ['ws://…/y-webrtc']` sync a Y.Doc over
 * WebRTC through it, with and without y-webrtc's `password` option.
 */
import type { Browser, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { expect, test } from './kit/index.js';
import { buildInteropPage } from './support/interop-pages.js';

let pagePath: string;

test.beforeAll(async () => {
  pagePath = await buildInteropPage('ywebrtc', 'e2e/support/ywebrtc-page.ts');
});

async function open(browser: Browser, baseUrl: string, room: string, signaling: string, password: string | null): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${baseUrl}${pagePath}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await page.evaluate(([r, s, p]) => (globalThis as unknown as { startYWebrtc(r: string, s: string, p: string | null): void }).startYWebrtc(r, s, p), [
    room,
    signaling,
    password,
  ] as const);
  return page;
}

const text = (page: Page) => page.evaluate(() => (globalThis as unknown as { ywebrtc: { text(): string } }).ywebrtc.text());
const insert = (page: Page, value: string) =>
  page.evaluate((v) => (globalThis as unknown as { ywebrtc: { insert(v: string): void } }).ywebrtc.insert(v), value);
const connectedPeers = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { ywebrtc: { connectedPeers(): number } }).ywebrtc.connectedPeers());

for (const password of [null, 'correct horse battery staple']) {
  test(`stock y-webrtc syncs a document through /y-webrtc ${password === null ? 'without' : 'with'} a password`, async ({ browser, signaling }) => {
    const room = `yw-${randomBytes(4).toString('hex')}`;
    const url = signaling.url.replace(/\/signal$/, '/y-webrtc');
    const first = await open(browser, signaling.baseUrl, room, url, password);
    const second = await open(browser, signaling.baseUrl, room, url, password);
    try {
      await expect.poll(() => connectedPeers(first)).toBe(1);
      await expect.poll(() => connectedPeers(second)).toBe(1);
      await insert(first, 'hello from the first page. ');
      await expect.poll(() => text(second)).toBe('hello from the first page. ');
      await insert(second, 'and back.');
      await expect.poll(() => text(first)).toBe('hello from the first page. and back.');
      // The introductions went through murmur-signal's /y-webrtc (the only server the pages know).
      const metrics = await (await fetch(`${signaling.baseUrl}metrics`)).text();
      expect(metrics).toMatch(/^murmur_signal_ywebrtc_published_total [1-9]/m);
    } finally {
      await first.context().close();
      await second.context().close();
    }
  });
}
