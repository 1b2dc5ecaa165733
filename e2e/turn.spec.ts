import { expect, test } from './fixtures.js';
import { startTurnServer, type TurnServer } from './support/turn-server.js';

let turn: TurnServer;

test.beforeAll(async () => {
  turn = await startTurnServer();
});

test.afterAll(async () => {
  await turn?.stop();
});

test('two users link through TURN only (iceTransportPolicy: relay)', async ({ browser, demo }) => {
  const room = `turn-${Date.now().toString(36)}`;
  const rtcConfig = {
    iceServers: [{ urls: turn.url, username: turn.username, credential: turn.credential }],
    iceTransportPolicy: 'relay',
  };
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  for (const page of pages) {
    await page.goto(`${demo.pageUrl}dist/harness.html`);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  }
  for (const [i, page] of pages.entries()) {
    await page.evaluate(
      ({ room, signaling, rtcConfig, name }) => {
        const g = globalThis as unknown as { murmur: { joinRoom: (r: string, o: unknown) => unknown }; room: unknown };
        g.room = g.murmur.joinRoom(room, { signaling, rtcConfig, presence: { name } });
      },
      { room, signaling: demo.server.url, rtcConfig, name: `user${i}` },
    );
  }
  for (const page of pages) {
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { room: { peers: Map<string, unknown> } }).room.peers.size), {
        timeout: 30_000,
      })
      .toBe(1);
  }
  // The only candidates allowed were relayed ones: coturn must have allocated relays and
  // carried channel data for both sides.
  const log = turn.log();
  expect(log).toMatch(/ALLOCATE processed, success/);
  expect((log.match(/ALLOCATE processed, success/g) ?? []).length).toBeGreaterThanOrEqual(2);
  // Presence still flows over the relayed link.
  await pages[0]!.evaluate(() =>
    (globalThis as unknown as { room: { presence: { update(p: unknown): void } } }).room.presence.update({ mood: 'relayed' }),
  );
  await expect
    .poll(() =>
      pages[1]!.evaluate(() => {
        const room = (globalThis as unknown as { room: { peers: Map<string, { presence: { mood?: string } }> } }).room;
        return [...room.peers.values()][0]?.presence.mood;
      }),
    )
    .toBe('relayed');
  await Promise.all(contexts.map((c) => c.close()));
});
