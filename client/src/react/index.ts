/**
 * `murmur-mesh/react`: hooks over a murmur Room, built on
 * useSyncExternalStore. React is a peer dependency.
 *
 *   const room = useRoom('board', { signaling: 'wss://example.com/signal' });
 *   const peers = usePeers(room);
 *   const [me, setMe] = usePresence(room);
 */
export { useRoom, usePeers, usePeer, usePresence, useStatus, useBroadcast, type PresenceUpdate } from './hooks.js';
