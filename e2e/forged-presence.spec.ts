/**
 * A page that forges another tab's presence through the wire (issue 13). mal
 * is an ordinary tab whose own code writes one extra message on each of its
 * data channels: a GOSSIP frame with PRESENCE from ann's id, at the largest
 * version the engine takes (2^32 − 1: above it the frame is malformed, and a
 * forgery a little above ann's own version she outbids), built with the real
 * encoders and signed with a key of mal's making: all a page can sign, since
 * ann's id derives from her key (shared/PROTOCOL.md › Signed messages).
 * Everyone else must ignore it: bob keeps showing ann's genuine presence,
 * and ann's next real update still reaches him.
 *
 * Before presence was signed, the forgery was delivered as ann's and stuck
 * through her next updates (10 of 10 runs with --repeat-each=10).
 */
import { forgedGossip, forgedPresence, MAX_COUNTER } from '../shared/src/sim/adversary-frames.js';
import { expect, test } from './kit/index.js';

const FORGED = { name: 'FORGED-by-mal' };

test('a presence forged in another tab’s name through the wire is ignored by everyone else', async ({ murmur }) => {
  const [ann, bob, mal] = await murmur.spawn(3, { presence: (i) => ({ name: ['ann', 'bob', 'mal'][i] }) });
  await murmur.waitForConvergence([ann, bob, mal], { timeoutMs: 30_000 });

  // bob's refusals, so the spec cannot pass because the frame never arrived or failed to decode.
  await bob.evaluate((room) => {
    const codes: string[] = [];
    (globalThis as { bobRefused?: string[] }).bobRefused = codes;
    room.on('malformed', (info) => codes.push(info.code));
  });
  // One data-channel message: a lone last piece (flag 0) holding the forged frame.
  const frame = forgedGossip(ann.id, 2 ** 31, forgedPresence(ann.id, MAX_COUNTER, FORGED, 'mal'));
  const piece = [0, ...frame];
  // mal finds its own data channels the way any page script could: each one it sends on (the engine
  // pings every link every second) is kept.
  await mal.page.evaluate(() => {
    const channels = new Set<RTCDataChannel>();
    (globalThis as { malChannels?: Set<RTCDataChannel> }).malChannels = channels;
    const send = RTCDataChannel.prototype.send;
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
      channels.add(this);
      return send.call(this, data);
    } as typeof send;
  });
  const openChannels = () => mal.page.evaluate(() => [...((globalThis as { malChannels?: Set<RTCDataChannel> }).malChannels ?? [])].filter((c) => c.readyState === 'open').length);
  await expect.poll(openChannels, { timeout: 20_000, message: 'mal to have sent on both of its links' }).toBe(2);
  await mal.page.evaluate((bytes) => {
    for (const channel of (globalThis as unknown as { malChannels: Set<RTCDataChannel> }).malChannels) {
      if (channel.readyState === 'open') channel.send(new Uint8Array(bytes));
    }
  }, piece);

  // ann's own update after the forgery must win at bob, and the forgery must never show.
  await ann.updatePresence({ name: 'ann', mood: 'genuine' });
  await expect
    .poll(async () => bob.evaluate((room, id) => room.peers.get(id)?.presence, ann.id), { timeout: 10_000, message: "bob shows ann's genuine update" })
    .toMatchObject({ name: 'ann', mood: 'genuine' });
  const seen = await Promise.all([bob, mal].map((user) => user.evaluate((room, id) => room.peers.get(id)?.presence, ann.id)));
  const refused = await bob.page.evaluate(() => (globalThis as { bobRefused?: string[] }).bobRefused ?? []);
  console.log(`MEASURE forged_presence_bob=${JSON.stringify(seen[0])} bob_refused=${JSON.stringify(refused)}`);
  expect(seen[0]).not.toMatchObject(FORGED);
  // mal is linked to bob (3 tabs: a full mesh), so bob got the forgery itself and refused it as badly signed.
  expect(refused).toContain('MURMUR_BAD_SIGNATURE');
});
