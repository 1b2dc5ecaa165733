/**
 * Rooms with a password (issue 13): signaling envelopes are sealed with a key
 * from PBKDF2-SHA-256, so two tabs with the password link and share presence,
 * and a tab with another password never links — while the server is up and
 * relaying its offers — and its envelopes are counted as dropped on both sides.
 * App payloads and presence are sealed end to end too: nothing of an edit, a
 * message or a presence crosses a data channel in the clear.
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

test('the data channels of a password room carry none of the edit, the message or the presence, and the peer gets all three', async ({ murmur }) => {
  const mark = { doc: 'DOC-EDIT-the-plan-is-at-dawn', message: 'BROADCAST-meet-at-the-old-mill', presence: 'PRESENCE-typing-in-cell-B7' };
  const [ann, bob] = await murmur.spawn(2, { joinOptions: { password: 'correct horse' } });
  await murmur.waitForConvergence([ann, bob], { timeoutMs: 30_000 });
  // Every byte either page writes to a data channel from now on (send is looked up on the prototype at each call).
  const capture = () => {
    const chunks: Uint8Array[] = [];
    (globalThis as { wireChunks?: Uint8Array[] }).wireChunks = chunks;
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
      if (ArrayBuffer.isView(data)) chunks.push(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
      else if (data instanceof ArrayBuffer) chunks.push(new Uint8Array(data.slice(0)));
      else if (typeof data === 'string') chunks.push(new TextEncoder().encode(data));
      return send.call(this, data as never);
    } as typeof send;
  };
  await Promise.all([ann.page.evaluate(capture), bob.page.evaluate(capture)]);
  await bob.evaluate((room) => {
    (globalThis as { gotMessages?: unknown[] }).gotMessages = [];
    room.on('message', (m) => (globalThis as unknown as { gotMessages: unknown[] }).gotMessages.push(m.data));
  });
  await ann.evaluate((room, m) => {
    room.doc.getText('notes').insert(0, m.doc);
    room.presence.update({ status: m.presence });
  }, mark);
  // A message is best effort: resend until it lands.
  await expect
    .poll(async () => {
      await ann.evaluate((room, text) => room.broadcast('chat', text), mark.message);
      return bob.evaluate(
        (room, m) =>
          room.doc.getText('notes').toString() === m.doc &&
          room.peers.get([...room.peers.keys()][0]!)?.presence.status === m.presence &&
          ((globalThis as { gotMessages?: unknown[] }).gotMessages ?? []).includes(m.message),
        mark,
      );
    }, { timeout: 30_000, message: 'bob to get the edit, the presence and the message' })
    .toBe(true);
  const scan = (marks: string[]) => {
    const chunks = (globalThis as { wireChunks?: Uint8Array[] }).wireChunks ?? [];
    const text = chunks.map((c) => new TextDecoder('latin1').decode(c)).join('');
    return { bytes: text.length, found: marks.filter((m) => text.includes(m)) };
  };
  const [sent, answered] = await Promise.all([ann.page.evaluate(scan, Object.values(mark)), bob.page.evaluate(scan, Object.values(mark))]);
  console.log(`bytes on the data channels: ann ${sent.bytes}, bob ${answered.bytes}; plaintext found: ${JSON.stringify([...sent.found, ...answered.found])}`);
  // Ann's bytes carried all three to bob (he has them), and held none of them in the clear.
  expect(sent.bytes).toBeGreaterThan(Object.values(mark).join('').length);
  expect(sent.found).toEqual([]);
  expect(answered.found).toEqual([]);
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
