import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

interface RoomHandle {
  murmurRoom: { selfId: string; peers: Map<string, { presence: Record<string, unknown> }> };
}

const peerCount = (page: Page) => page.evaluate(() => (globalThis as unknown as RoomHandle).murmurRoom.peers.size);
const selfId = (page: Page) => page.evaluate(() => (globalThis as unknown as RoomHandle).murmurRoom.selfId);

test('three users see each other and their cursors; a closed tab is dropped', async ({ browser, demo }) => {
  const room = `e2e-${Date.now().toString(36)}`;
  const names = ['ann', 'bob', 'cat'];
  const contexts = await Promise.all(names.map(() => browser.newContext({ viewport: { width: 1000, height: 700 } })));
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  await Promise.all(pages.map((page, i) => page.goto(`${demo.pageUrl}?room=${room}&name=${names[i]}`)));

  const joinedAt = Date.now();
  for (const page of pages) await expect.poll(() => peerCount(page), { timeout: 30_000 }).toBe(2);
  console.log(`three users saw each other ${Date.now() - joinedAt} ms after the pages loaded`);
  const ids = await Promise.all(pages.map(selfId));

  // Everyone lists everyone (avatars), by the names they chose.
  for (const page of pages) {
    await expect(page.locator('murmur-avatars .avatar[data-peer]')).toHaveCount(3);
    const titles = await page.locator('murmur-avatars .avatar[data-peer]').evaluateAll((els) => els.map((el) => el.getAttribute('title')));
    for (const name of names) expect(titles.join(' ')).toContain(name);
  }

  // Each user moves over the board; the other two draw the cursor where it is.
  const spots = [
    { x: 0.25, y: 0.3 },
    { x: 0.5, y: 0.6 },
    { x: 0.75, y: 0.2 },
  ];
  for (const [i, page] of pages.entries()) {
    const board = page.locator('murmur-board');
    const box = await board.boundingBox();
    if (!box) throw new Error('board not laid out');
    const spot = spots[i]!;
    await page.mouse.move(box.x + box.width * spot.x - 5, box.y + box.height * spot.y - 5);
    await page.mouse.move(box.x + box.width * spot.x, box.y + box.height * spot.y, { steps: 3 });
  }
  for (const [i, page] of pages.entries()) {
    for (const [j, id] of ids.entries()) {
      if (i === j) continue;
      const cursor = page.locator(`murmur-cursors .cursor[data-peer="${id}"]`);
      await expect(cursor).toBeVisible();
      await expect(cursor).toContainText(names[j]!);
      const spot = spots[j]!;
      await expect
        .poll(async () => {
          const seen = await page.evaluate((peer) => {
            const presence = (globalThis as unknown as RoomHandle).murmurRoom.peers.get(peer)?.presence;
            return presence?.cursor as { x: number; y: number } | undefined;
          }, id);
          return seen ? Math.abs(seen.x - spot.x) + Math.abs(seen.y - spot.y) : 1;
        })
        .toBeLessThan(0.02);
    }
  }

  // The third user closes the tab: the other two drop it.
  const closedAt = Date.now();
  await contexts[2]!.close();
  for (const page of pages.slice(0, 2)) {
    await expect.poll(() => peerCount(page), { timeout: 20_000 }).toBe(1);
    await expect(page.locator(`murmur-avatars [data-peer="${ids[2]}"]`)).toHaveCount(0);
    await expect(page.locator(`murmur-cursors [data-peer="${ids[2]}"]`)).toHaveCount(0);
  }
  console.log(`closed tab dropped by both survivors after ${Date.now() - closedAt} ms`);
  await Promise.all(contexts.slice(0, 2).map((context) => context.close()));
});
