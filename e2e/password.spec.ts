/**
 * Rooms with a password (issue 13): signaling envelopes are sealed with a key
 * from PBKDF2-SHA-256, so two tabs with the password link and share presence,
 * and a tab with another password never links — while the server is up and
 * relaying its offers — and its envelopes are counted as dropped on both sides.
 */
import { expect, test } from './kit/index.js';

interface SealStats {
  malformed: number;
  links: number;
  peers: string[];
}

const stats = (room: { stats(): { malformed: number; links: { open: number } }; peers: ReadonlyMap<string, unknown> }): SealStats => ({
  malformed: room.stats().malformed,
  links: room.stats().links.open,
  peers: [...room.peers.keys()],
});

test('tabs with the password link; a tab with the wrong password never does, and is counted', async ({ murmur, signaling }) => {
  const [ann, bob] = await murmur.spawn(2, { joinOptions: { password: 'correct horse' }, presence: (i) => ({ name: ['ann', 'bob'][i] }) });
  const views = await murmur.waitForConvergence([ann, bob], { timeoutMs: 30_000 });
  expect(views[0]!.presence[bob.id]).toMatchObject({ name: 'bob' });
  expect(views[1]!.presence[ann.id]).toMatchObject({ name: 'ann' });

  const [eve] = await murmur.spawn(1, { joinOptions: { password: 'battery staple' }, presence: { name: 'eve' } });
  expect(signaling.running).toBe(true);
  // The server introduces eve and relays every offer; none opens on the other side.
  await expect
    .poll(async () => {
      const [a, b, e] = await Promise.all([ann.evaluate(stats), bob.evaluate(stats), eve.evaluate(stats)]);
      return a.malformed + b.malformed > 0 && e.malformed > 0;
    }, { timeout: 30_000, message: 'sealed envelopes dropped by both sides' })
    .toBe(true);
  const [a, b, e] = await Promise.all([ann.evaluate(stats), bob.evaluate(stats), eve.evaluate(stats)]);
  expect(e.links).toBe(0);
  expect(e.peers).toEqual([]);
  expect(a.peers).toEqual([bob.id]);
  expect(b.peers).toEqual([ann.id]);
  console.log(`dropped sealed envelopes: ann ${a.malformed}, bob ${b.malformed}, eve ${e.malformed}`);

  // Presence still flows between the two that share the password.
  await ann.updatePresence({ mood: 'fine' });
  const after = await murmur.waitForConvergence([ann, bob]);
  expect(after[1]!.presence[ann.id]).toMatchObject({ name: 'ann', mood: 'fine' });
});

test('PBKDF2-SHA-256 at 100,000 rounds in Chromium (the cost of a password per joinRoom)', async ({ murmur }) => {
  const [user] = await murmur.spawn(1);
  const times = await user.page.evaluate(async () => {
    const out: number[] = [];
    const enc = new TextEncoder();
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const material = await crypto.subtle.importKey('raw', enc.encode('correct horse'), 'PBKDF2', false, ['deriveKey']);
      await crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: enc.encode('room'), iterations: 100_000 }, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
      out.push(performance.now() - started);
    }
    return out.sort((x, y) => x - y);
  });
  console.log(`PBKDF2 100k in Chromium, ms: min ${times[0]!.toFixed(1)} median ${times[2]!.toFixed(1)} max ${times[4]!.toFixed(1)}`);
  expect(times).toHaveLength(5);
});
