/**
 * Benchmark page entry for y-webrtc 10 with its defaults, except the
 * signaling URL (its own server, started by the benchmark) and
 * filterBcConns (each user is in its own browser context anyway, so
 * BroadcastChannel cannot short-cut WebRTC).
 *
 * "Who is here" for a y-webrtc app is the awareness states map: a peer is
 * gone when its state is removed, which happens on a goodbye (beforeunload /
 * provider.destroy) or, for a killed tab, when its state has not been
 * renewed for awareness' outdatedTimeout (30 s; states renew every 15 s).
 */
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { createAgent } from './browser-agent.js';

(globalThis as { startAgent?: unknown }).startAgent = (room: string, signaling: string, expected: number) => {
  const doc = new Y.Doc();
  const provider = new WebrtcProvider(room, doc, { signaling: [signaling], filterBcConns: true });
  const awareness = provider.awareness;
  const selfId = String(doc.clientID);
  awareness.setLocalState({ id: selfId });
  const others = () => [...awareness.getStates().keys()].filter((id) => id !== doc.clientID).map(String);
  const agent = createAgent(
    {
      selfId,
      peers: others,
      links: () => [...(provider.room?.webrtcConns.values() ?? [])].filter((conn) => conn.connected).length,
      setPresence: (patch) => awareness.setLocalState({ ...awareness.getLocalState(), ...patch }),
      onPresence: (listener) => {
        awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
          for (const id of [...added, ...updated]) {
            const state = awareness.getStates().get(id);
            if (id !== doc.clientID && state) listener(String(id), state);
          }
        });
      },
      onPeerGone: (listener) => {
        awareness.on('change', ({ removed }: { removed: number[] }) => {
          for (const id of removed) if (id !== doc.clientID) listener(String(id));
        });
      },
      doc,
      leave: () => provider.destroy(),
    },
    expected,
  );
  (globalThis as { agent?: unknown }).agent = agent;
  return selfId;
};
document.documentElement.dataset.ready = 'true';
