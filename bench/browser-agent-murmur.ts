/**
 * Benchmark page entry for murmur: the public bundle (/dist/murmur.js, as an
 * app would load it) behind the shared agent.
 */
import { joinRoom, type Presence, type Room } from '../client/src/index.js';
import { createAgent, type DocLike } from './browser-agent.js';

(globalThis as { startAgent?: unknown }).startAgent = (room: string, signaling: string, expected: number) => {
  const r: Room = joinRoom(room, { signaling });
  const agent = createAgent(
    {
      selfId: r.selfId,
      peers: () => [...r.peers.keys()],
      links: () => r.debug.links().filter((link) => link.state === 'open').length,
      setPresence: (patch) => r.presence.update(patch as Presence),
      onPresence: (listener) => {
        r.on('peer-join', (peer) => listener(peer.id, peer.presence));
        r.on('presence', (peer) => listener(peer.id, peer.presence));
      },
      onPeerGone: (listener) => {
        r.on('peer-leave', (peer) => listener(peer.id));
      },
      // room.doc arrives with the room API; until then doc figures are null.
      doc: ((r as unknown as { doc?: DocLike }).doc ?? null),
      leave: () => r.leave(),
    },
    expected,
  );
  (globalThis as { agent?: unknown }).agent = agent;
  return r.selfId;
};
document.documentElement.dataset.ready = 'true';
