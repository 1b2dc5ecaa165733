import { expect, test } from './kit/index.js';

test('three users see each other and their cursors; a closed tab is dropped', async ({ murmur }) => {
  const names = ['ann', 'bob', 'cat'];
  // The demo app itself: it joins `?room=` and exposes its Room as globalThis.murmurRoom.
  const users = await murmur.spawn(3, {
    pageUrl: ({ index }) => `/?room={room}&name=${names[index]}`,
    contextOptions: { viewport: { width: 1000, height: 700 } },
  });
  const pages = users.map((user) => user.page);

  const joinedAt = Date.now();
  await murmur.waitForConvergence(users, { timeoutMs: 30_000 });
  console.log(`three users saw each other ${Date.now() - joinedAt} ms after the pages loaded`);

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
  // Converged means every user holds every other's latest presence, cursor included.
  const views = await murmur.waitForConvergence(users);
  for (const [i, user] of users.entries()) {
    for (const [j, other] of users.entries()) {
      if (i === j) continue;
      const cursor = user.page.locator(`murmur-cursors .cursor[data-peer="${other.id}"]`);
      await expect(cursor).toBeVisible();
      await expect(cursor).toContainText(names[j]!);
      const seen = views[i]!.presence[other.id]?.cursor as { x: number; y: number } | undefined;
      const spot = spots[j]!;
      expect(seen && Math.abs(seen.x - spot.x) + Math.abs(seen.y - spot.y)).toBeLessThan(0.02);
    }
  }

  // The third user closes the tab: the other two drop it, from the room and from the page.
  const closedAt = Date.now();
  await users[2]!.close();
  await murmur.waitForConvergence(users, { timeoutMs: 20_000 });
  for (const page of pages.slice(0, 2)) {
    await expect(page.locator(`murmur-avatars [data-peer="${users[2]!.id}"]`)).toHaveCount(0);
    await expect(page.locator(`murmur-cursors [data-peer="${users[2]!.id}"]`)).toHaveCount(0);
  }
  console.log(`closed tab dropped by both survivors after ${Date.now() - closedAt} ms`);
});
