/**
 * The kit's own fault injection, end to end: drop a user's links, per-user
 * signaling detach, graceful close while the server is down, restart on the
 * same port, a custom page that exposes `globalThis.murmurRoom`.
 */
import { expect, test } from './kit/index.js';

test('fault injection: drop links, close while signaling is down, restart, custom page', async ({ murmur, signaling }) => {
  const [first, second, third] = await murmur.spawn(3);
  const converged = await murmur.waitForConvergence();
  expect(converged.map((s) => s.peers.length)).toEqual([2, 2, 2]);
  expect(converged[0]!.links?.filter((l) => l.state === 'open')).toHaveLength(2);

  // dropLinks cuts every WebRTC link of one user at once.
  await first.dropLinks();
  await expect.poll(async () => (await first.snapshot()).links?.filter((l) => l.state === 'open').length).toBe(0);
  // Rejoining through signaling (or, once the gossip engine lands, the mesh) heals it.
  await first.stopSignaling();
  await first.resumeSignaling();
  await murmur.waitForConvergence(undefined, { timeoutMs: 20_000 });

  // The server goes away; a graceful close still reaches the others over the mesh.
  await signaling.stop();
  expect(signaling.running).toBe(false);
  await third.close();
  expect(third.state).toBe('closed');
  const afterClose = await murmur.waitForConvergence();
  expect(afterClose.map((s) => s.peers)).toEqual([[second.id], [first.id]]);

  // Same port after restart; a newcomer on a custom page (the demo) joins the same room.
  const port = signaling.port;
  await signaling.start();
  expect(signaling.port).toBe(port);
  const [newcomer] = await murmur.spawn(1, { pageUrl: '/?room={room}&name=newcomer' });
  const final = await murmur.waitForConvergence();
  expect(final).toHaveLength(3);
  expect(final[0]!.presence[newcomer.id]).toMatchObject({ name: 'newcomer' });
});
