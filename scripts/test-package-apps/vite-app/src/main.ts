// Two tabs in one room: each shares a nested Y.Map; the page reports what it sees.
import { joinRoom, type ErrorCode, type PeerInfo } from 'murmur-mesh';
import * as Y from 'yjs';

const params = new URLSearchParams(location.search);
const name = params.get('name') ?? 'anon';
type Tab = { name: string };
const room = joinRoom<Tab>(params.get('room') ?? 'scratch', { signaling: params.get('signal') ?? '', presence: { name } });
// The package's types check event names and payloads.
// @ts-expect-error 'peer-joined' is not an event (it is 'peer-join')
room.on('peer-joined', () => {});
room.on('signaling-error', (error) => console.warn(error.code satisfies ErrorCode, error.message));

const mine = new Y.Map<string>();
mine.set('by', name);
room.doc.getMap<Y.Map<string>>('tabs').set(name, mine);

function report(): void {
  const others = [...room.doc.getMap<unknown>('tabs').entries()].filter(([key]) => key !== name);
  document.body.dataset.state = JSON.stringify({
    status: room.status,
    peers: [...room.peers.values()].map((peer: PeerInfo<Tab>) => peer.presence.name),
    docIsAppYDoc: room.doc instanceof Y.Doc,
    nested: others.map(([key, value]) => ({ key, isAppYMap: value instanceof Y.Map, by: value instanceof Y.Map ? value.get('by') : null })),
  });
}
room.on('peer-join', report);
room.on('presence', report);
room.on('status', report);
room.doc.on('update', report);
report();
