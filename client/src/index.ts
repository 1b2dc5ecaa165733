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
  type RoomDebug,
  type RoomStats,
  type LeaveReason,
} from './room.js';
export type { JoinOptions } from './options.js';
export type { LinkInfo } from './link-manager.js';
export type { RoomStatus } from './status.js';
export type { RoomMessage, BroadcastOptions } from './app-message.js';
export type { LinkTraffic } from './stats.js';
export { AWARENESS_KEY } from './awareness.js';
export type { Presence, PeerId } from '../../shared/src/engine/types.js';
export type { JsonValue } from '../../shared/src/signaling.js';
export { ErrorCode, MurmurError, isMurmurError } from '../../shared/src/errors.js';
