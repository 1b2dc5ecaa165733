// A plain-JavaScript bot (no TypeScript, no loader) against `npx murmur-signal`:
// it greets whoever joins, syncs a Yjs doc, and exits as soon as it has left.
import { joinRoom } from 'murmur-mesh/node';
import * as Y from 'yjs';

const signaling = process.argv[2];
const doc = new Y.Doc();
const bot = joinRoom('plain', { signaling, doc, presence: { name: 'bot' } });
const guest = joinRoom('plain', { signaling, presence: { name: 'guest' } });
const greeted = new Promise((resolve) => bot.on('peer-join', (peer) => resolve(peer.presence.name)));
doc.getArray('log').push(['hello']);

const deadline = Date.now() + 20_000;
while (guest.doc.getArray('log').length === 0 || !bot.peers.has(guest.selfId)) {
  if (Date.now() > deadline) throw new Error('the bot and the guest did not meet');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const result = {
  met: true,
  guestDoc: guest.doc.getArray('log').toJSON(),
  oneYjs: guest.doc instanceof Y.Doc,
  greetedName: await greeted,
};
bot.leave();
guest.leave();
console.log(JSON.stringify(result));
console.log('left');
