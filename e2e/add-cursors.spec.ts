/**
 * The README's "add cursors to an existing page" snippet, as served from
 * dist/add-cursors.html (a test checks the README carries the same lines):
 * two users on a plain page see each other's avatar and cursor.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

const selfId = (page: Page) =>
  page.evaluate(() => (document.querySelector('murmur-cursors') as unknown as { room: { selfId: string } }).room.selfId);

test("the README snippet adds live cursors to a plain page", async ({ browser, demo }) => {
  const names = ['Ada', 'Grace'];
  const contexts = await Promise.all(names.map((_, i) => browser.newContext({ viewport: { width: 900 + i * 300, height: 600 } })));
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  await Promise.all(pages.map((page, i) => page.goto(`${demo.pageUrl}dist/add-cursors.html?name=${names[i]}`)));
  const ids = await Promise.all(pages.map(selfId));
  for (const page of pages) await expect(page.locator('murmur-avatars .avatar[data-peer]')).toHaveCount(2);

  // Ada points somewhere; Grace's window is wider: the cursor lands at the same fraction of the page.
  await pages[0]!.mouse.move(300, 200);
  await pages[0]!.mouse.move(450, 300, { steps: 2 });
  const cursor = pages[1]!.locator(`murmur-cursors .cursor[data-peer="${ids[0]}"]`);
  await expect(cursor).toContainText('Ada');
  const drawnAt = () =>
    cursor.evaluate((el) => {
      const m = new DOMMatrix(getComputedStyle(el).transform);
      return { x: m.m41 / document.documentElement.clientWidth, y: m.m42 / document.documentElement.clientHeight };
    });
  await expect.poll(async () => Math.abs((await drawnAt()).x - 450 / 900) + Math.abs((await drawnAt()).y - 300 / 600)).toBeLessThan(0.01);

  // Grace leaves: Ada's page drops her avatar.
  await contexts[1]!.close();
  await expect(pages[0]!.locator('murmur-avatars .avatar[data-peer]')).toHaveCount(1);
  await contexts[0]!.close();
});
