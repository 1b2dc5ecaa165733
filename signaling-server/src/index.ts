export { createSignalingServer, SIGNAL_PATH, type SignalingServer, type SignalingServerOptions } from './server.js';
export { DEFAULTS as SIGNALING_DEFAULTS, resolveConfig, type AdmissionDecision, type AdmissionRequest, type AuthHook } from './config.js';
export { CLOSE_CODES } from './admission.js';
export { createRoomToken, verifyRoomToken, type RoomTokenClaims, type TokenVerdict } from './room-token.js';
export { createBucket, takeToken, type Bucket } from './rate-limit.js';
export { RoomTable } from './room-table.js';
export type { LogLevel, LogRecord } from './logger.js';
