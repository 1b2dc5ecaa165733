/**
 * murmur: a peer-to-peer mesh for browser tabs. `joinRoom` is the whole
 * entry point; everything else here is types and errors.
 */
export { joinRoom, Room, type PeerInfo, type RoomEvents, type RoomPresence, type RoomDebug, type LeaveReason } from './room.js';
export type { JoinOptions } from './options.js';
export type { LinkInfo } from './link-manager.js';
export type { Presence, PeerId } from '../../shared/src/engine/types.js';
export { ErrorCode, MurmurError, isMurmurError } from '../../shared/src/errors.js';
