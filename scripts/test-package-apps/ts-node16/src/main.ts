// A Node service in TypeScript: its own signaling server and two Node peers.
import type { PeerInfo, Presence, RoomStatus } from 'murmur-mesh';
import { joinRoom } from 'murmur-mesh/node';
import { createSignalingServer } from 'murmur-mesh/signaling-server';

const server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {} });
const ann = joinRoom('ts', { signaling: server.url, presence: { name: 'ann' } satisfies Presence });
const bob = joinRoom('ts', { signaling: server.url, presence: { name: 'bob' } });
const seen: string[] = [];
bob.on('peer-join', (peer: PeerInfo) => seen.push(peer.id));

const deadline = Date.now() + 20_000;
while (!(ann.peers.has(bob.selfId) && bob.doc.getMap('m').get('from') === 'ann')) {
  if (Date.now() > deadline) throw new Error(`peers did not meet: ann sees ${ann.peers.size}, bob's doc ${JSON.stringify(bob.doc.toJSON())}`);
  ann.doc.getMap('m').set('from', 'ann');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const status: RoomStatus = ann.status;
console.log(JSON.stringify({ met: true, status, bobSawAnn: seen.includes(ann.selfId), annName: bob.peers.get(ann.selfId)?.presence.name }));
ann.leave();
bob.leave();
await server.close();
