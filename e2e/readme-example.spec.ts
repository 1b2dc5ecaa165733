// The example test from README.md ("Testing multiplayer apps with murmur-mesh/playwright"), verbatim.
// If you change one, change the other.
import { test, expect } from 'murmur-mesh/playwright';

test('three users agree, lose one, and recover', async ({ murmur, signaling }) => {
  // Three users, each in its own browser context, joined to a fresh room.
  const [ann, bob, cat] = await murmur.spawn(3, { presence: (i) => ({ name: ['ann', 'bob', 'cat'][i] }) });
  await murmur.waitForConvergence();

  // Presence flows: once the room agrees again, bob has ann's cursor.
  await ann.updatePresence({ cursor: { x: 10, y: 20 } });
  await murmur.waitForConvergence();
  expect((await bob.snapshot()).presence[ann.id]).toEqual({ name: 'ann', cursor: { x: 10, y: 20 } });

  // Kill cat's tab without a goodbye: the others must find out on their own.
  await cat.kill();
  await murmur.waitForConvergence(undefined, { timeoutMs: 40_000 });

  // With the signaling server down, bob closes his tab; ann still drops him.
  await signaling.stop();
  await bob.close();
  await murmur.waitForConvergence();
  expect(await ann.peers()).toEqual([]);

  // The server comes back on the same port and a newcomer finds ann.
  await signaling.start();
  const [dan] = await murmur.spawn(1);
  await murmur.waitForConvergence([ann, dan]);
});
