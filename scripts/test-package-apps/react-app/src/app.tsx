// Every hook of murmur-mesh/react in one small page.
import { useState } from 'react';
import { useBroadcast, usePeer, usePeers, usePresence, useRoom, useStatus } from 'murmur-mesh/react';

export function App({ roomId, signaling, name }: { roomId: string; signaling: string; name: string }) {
  const room = useRoom(roomId, { signaling, presence: { name } });
  const status = useStatus(room);
  const peers = usePeers(room);
  const [me, setMe] = usePresence(room);
  const first = usePeer(room, peers[0]?.id);
  const [last, setLast] = useState('');
  const send = useBroadcast(room, 'chat', (message) => setLast(String(message.data)));
  return (
    <main data-status={status ?? 'none'}>
      <p id="me">{String(me?.name ?? '')}</p>
      <ul id="peers">
        {peers.map((peer) => (
          <li key={peer.id}>{String(peer.presence.name)}</li>
        ))}
      </ul>
      <p id="first">{String(first?.presence.name ?? '')}</p>
      <button id="rename" onClick={() => setMe((current) => ({ name: `${String(current.name)}!` }))}>rename</button>
      <button id="send" onClick={() => send(`hi from ${name}`)}>send</button>
      <p id="last">{last}</p>
    </main>
  );
}
