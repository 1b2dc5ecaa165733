/**
 * Page entry for the /y-webrtc e2e: the stock y-webrtc 10 WebrtcProvider,
 * pointed at murmur-signal. Each user is in its own browser context, so
 * y-webrtc's BroadcastChannel shortcut cannot stand in for WebRTC.
 */
import { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';

interface YWebrtcPage {
  text(): string;
  insert(text: string): void;
  /** WebRTC connections y-webrtc reports as connected. */
  connectedPeers(): number;
}

(globalThis as { startYWebrtc?: unknown }).startYWebrtc = (room: string, signaling: string, password: string | null) => {
  const doc = new Y.Doc();
  const provider = new WebrtcProvider(room, doc, {
    signaling: [signaling],
    ...(password === null ? {} : { password }),
    // No STUN: the machine is offline and both pages are on 127.0.0.1.
    peerOpts: { config: { iceServers: [] } },
  });
  const text = doc.getText('shared');
  const page: YWebrtcPage = {
    text: () => text.toString(),
    insert: (value) => text.insert(text.length, value),
    connectedPeers: () => [...(provider.room?.webrtcConns.values() ?? [])].filter((conn) => conn.connected).length,
  };
  (globalThis as { ywebrtc?: YWebrtcPage }).ywebrtc = page;
};
document.documentElement.dataset.ready = 'true';
