// A user's own multiplayer test, written with the kit.
import { expect, test } from 'murmur-mesh/playwright';

test('two users meet, share presence, and see a closed tab go', async ({ murmur }) => {
  const [ann, bob] = await murmur.spawn(2, { presence: (i) => ({ name: ['ann', 'bob'][i] }) });
  await murmur.waitForConvergence();
  await ann.updatePresence({ cursor: { x: 1, y: 2 } });
  await murmur.waitForConvergence();
  expect((await bob.snapshot()).presence[ann.id]).toEqual({ name: 'ann', cursor: { x: 1, y: 2 } });
  const size = await ann.evaluate((room) => room.peers.size);
  expect(size).toBe(1);
  await bob.close();
  await murmur.waitForConvergence();
  expect(await ann.peers()).toEqual([]);
});
