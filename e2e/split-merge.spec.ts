/**
 * A split that heals: with the signaling server down, one tab loses every
 * link (`room.debug.dropLinks()`); both sides edit the shared Yjs document;
 * when the server is back the two sides merge: everyone sees everyone and
 * the documents are equal.
 */
import { expect, test, type User } from './kit/index.js';
import { engineViews, openLinks } from './support/mesh.js';

const editDoc = (user: User, key: string, value: string) =>
  user.evaluate(
    (room, [k, v]) => {
      room.doc.getMap('notes').set(k, v);
      room.doc.getText('log').insert(0, `${v};`);
    },
    [key, value] as const,
  );

const readDoc = (user: User) =>
  user.evaluate((room) => ({ notes: room.doc.getMap('notes').toJSON() as Record<string, unknown>, log: room.doc.getText('log').length }));

test('a tab cut off while the server is down merges back, documents and all, once the server returns', async ({ murmur, signaling }) => {
  test.setTimeout(120_000);
  const tabs = await murmur.spawn(4, { presence: (i) => ({ name: `tab${i}` }) });
  await editDoc(tabs[0]!, 'before', 'shared');
  await murmur.waitForConvergence(tabs, { timeoutMs: 30_000 });

  const [cut, ...rest] = tabs as [User, ...User[]];
  await signaling.stop();
  const cutAt = Date.now();
  await cut.dropLinks();
  // No link and no server from here on: the status should say so at once.
  const statusAtCut = await cut.evaluate((room) => ({ status: room.status, links: room.debug.links().length }));
  console.log(`MEASURE status_right_after_cut=${statusAtCut.status} links=${statusAtCut.links}`);

  // The rest drop it; it drops them. Meanwhile it says it is cut off.
  await expect.poll(async () => (await cut.snapshot()).peers, { timeout: 30_000 }).toEqual([]);
  for (const tab of rest) await expect.poll(async () => (await tab.peers()).includes(cut.id), { timeout: 30_000 }).toBe(false);
  console.log(`MEASURE split_agreed_ms=${Date.now() - cutAt}`);
  expect(await openLinks(cut)).toEqual([]);
  expect(await cut.evaluate((room) => room.status)).toBe('disconnected');

  // Both sides write while apart.
  await editDoc(cut, 'cut', 'alone');
  await editDoc(rest[0]!, 'rest', 'together');
  await murmur.waitForConvergence(rest, { timeoutMs: 15_000 });

  await signaling.start();
  const healAt = Date.now();
  try {
    await murmur.waitForConvergence(tabs, { timeoutMs: 60_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n engines:\n  ${await engineViews(tabs)}`);
  }
  console.log(`MEASURE merge_ms=${Date.now() - healAt}`);
  const docs = await Promise.all(tabs.map(readDoc));
  for (const doc of docs) expect(doc).toEqual({ notes: { before: 'shared', cut: 'alone', rest: 'together' }, log: docs[0]!.log });
  expect(await cut.evaluate((room) => room.status)).toBe('connected');
});
