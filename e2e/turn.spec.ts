import { expect, test } from './kit/index.js';
import { startTurnServer, type TurnServer } from './support/turn-server.js';

let turn: TurnServer;

test.beforeAll(async () => {
  turn = await startTurnServer();
});

test.afterAll(async () => {
  await turn?.stop();
});

test('two users link through TURN only (iceTransportPolicy: relay)', async ({ murmur }) => {
  const rtcConfig = {
    iceServers: [{ urls: turn.url, username: turn.username, credential: turn.credential }],
    iceTransportPolicy: 'relay',
  };
  const [first, second] = await murmur.spawn(2, { joinOptions: { rtcConfig } });
  await murmur.waitForConvergence(undefined, { timeoutMs: 30_000 });
  // The only candidates allowed were relayed ones: coturn must have allocated relays and
  // carried channel data for both sides.
  const log = turn.log();
  expect(log).toMatch(/ALLOCATE processed, success/);
  expect((log.match(/ALLOCATE processed, success/g) ?? []).length).toBeGreaterThanOrEqual(2);
  // Presence still flows over the relayed link.
  await first.updatePresence({ mood: 'relayed' });
  await murmur.waitForConvergence();
  expect((await second.snapshot()).presence[first.id]).toMatchObject({ mood: 'relayed' });
});
