/**
 * A wrong signaling URL in a real browser: the room says so (status, event
 * with the reason) and the console gets one warning, not silence and not a
 * warning per retry.
 */
import { expect, test } from './fixtures.js';

test('an unreachable signaling URL: status, signaling-error, one console warning', async ({ page, signaling }) => {
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && message.text().includes('murmur')) warnings.push(message.text());
  });
  await page.goto(`${signaling.baseUrl}dist/harness.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  // A path nothing serves WebSockets on: the upgrade fails, as with a typo in the URL.
  const wrong = signaling.url.replace(/\/signal$/, '/no-such-path');
  let attempts = 0;
  page.on('websocket', (socket) => {
    if (socket.url() === wrong) attempts += 1;
  });
  const seen = await page.evaluate(async (url) => {
    const { joinRoom } = (globalThis as unknown as { murmur: typeof import('../client/src/index.js') }).murmur;
    const room = joinRoom('lost', { signaling: url });
    (globalThis as unknown as { lost: unknown }).lost = room;
    const error = await new Promise<{ code: string; message: string; url: string }>((resolve) => room.on('signaling-error', resolve));
    return { error, status: room.status };
  }, wrong);
  expect(seen.status).toBe('disconnected');
  // Retries go on (with backoff) and must not warn again.
  await expect.poll(() => attempts, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  await page.evaluate(() => (globalThis as unknown as { lost: { leave(): void } }).lost.leave());
  expect(seen.error).toMatchObject({ code: 'MURMUR_SIGNALING_UNREACHABLE', url: wrong });
  expect(seen.error.message).toContain(wrong);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(wrong);
});
