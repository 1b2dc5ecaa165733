/**
 * `murmur-mesh`: a peer-to-peer mesh for browser tabs. `joinRoom` is the
 * whole entry point; everything else here is types and errors. Yjs is the
 * app's own (`import * as Y from 'yjs'`): this module imports it and never
 * carries a copy. Script-tag pages use `murmur-mesh/standalone`, which does.
 */
export {
  joinRoom,
  type Room,
  type PeerInfo,
  type RoomEvents,
  type RoomPresence,
  type RoomMessage,
  type JoinOptions,
  type MessageData,
} from './typed-room.js';
export type { RoomDebug, RoomStats, LeaveReason } from './room.js';
export type { SignalingStatus, SignalingError, SignalingRefusal } from './signaling-client.js';
export type { GossipSnapshot } from '../../shared/src/gossip/gossip-engine.js';
export type { LinkInfo } from './link-manager.js';
export type { RoomStatus } from './status.js';
export type { BroadcastOptions } from './app-message.js';
export type { LinkTraffic } from './stats.js';
export { AWARENESS_KEY } from './awareness.js';
export type { Presence, PeerId } from '../../shared/src/engine/types.js';
export type { JsonValue } from '../../shared/src/signaling.js';
export { ErrorCode, MurmurError, isMurmurError } from '../../shared/src/errors.js';
export { createIdentity, exportIdentity, importIdentity, type Identity, type ExportedIdentity } from './identity.js';
