/**
 * The signaling server's one config object: every knob with its unit, its
 * default and why. `resolveConfig` merges `{...DEFAULTS, ...options}` and
 * validates once, throwing MURMUR_BAD_CONFIG with the name of the bad field.
 * The CLI's flags and env vars map 1:1 onto these fields (see cli-flags.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../shared/src/signaling.js';
import type { LogLevel, LogRecord } from './logger.js';

/** What an auth hook sees of a WebSocket upgrade request. */
export interface AdmissionRequest {
  /** The `?token=` query parameter, if any (browsers cannot set headers on a WebSocket). */
  token: string | undefined;
  origin: string | undefined;
  /** The raw request, for hooks that want headers or the remote address. */
  request: IncomingMessage;
}

/**
 * An auth hook's verdict. `rooms` limits which rooms the connection may join
 * (omit for any room); `expiresAt` (ms since epoch) refuses joins after it;
 * `key` (base64url Ed25519 public key) admits only joins that prove that key,
 * so the token is good for one peer id only.
 */
export type AdmissionDecision =
  | { ok: true; rooms?: readonly string[]; expiresAt?: number; key?: string }
  | { ok: false; reason: string };

export type AuthHook = (request: AdmissionRequest) => AdmissionDecision | Promise<AdmissionDecision>;

export interface SignalingServerOptions {
  /** TCP port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (loopback only; pass '0.0.0.0' to expose). */
  host?: string;
  /** Largest accepted frame in bytes; larger ones get MURMUR_FRAME_TOO_LARGE and the socket stays. Default 64 KiB (SDP is 2–6 KiB). */
  maxFrameBytes?: number;
  /**
   * Hard cap (ws maxPayload) in bytes on one message, fragments included: a socket whose unfinished
   * message grows past it is closed with 1009, so it is also what one socket can make us buffer before
   * a frame completes. Default 128 KiB (twice maxFrameBytes: room for an error reply, little to hoard).
   */
  maxPayloadBytes?: number;
  /** How many existing peers a newcomer is told about. Default 16 (the mesh finds the rest). */
  sampleSize?: number;
  /** WebSocket ping period in ms; a socket that misses one pong is dropped. Default 30,000. */
  pingIntervalMs?: number;
  /** HMAC secret for room tokens (`?token=`); when set, every connection needs a valid token. Default none (open). */
  authSecret?: string;
  /** Programmatic admission hook, instead of `authSecret`. Default none. */
  authenticate?: AuthHook;
  /** Allowed `Origin` header values (exact match, e.g. 'https://app.example'); empty allows any. Default []. */
  allowedOrigins?: readonly string[];
  /** Sustained frames per second per connection (token bucket refill). Default 50: a WebRTC handshake is ~10–30 frames. */
  rateLimit?: number;
  /** Token bucket size: frames a connection may send in a burst. Default 100. */
  rateBurst?: number;
  /** Frames dropped for rate within one second before the socket is closed with 4429. Default 200. */
  rateLimitCloseAfter?: number;
  /** Rooms one connection may be in at once. Default 8. */
  maxRoomsPerConnection?: number;
  /** Peers one room may hold (across all instances with Redis). Default 1,000: the mesh caps links per tab anyway. */
  maxPeersPerRoom?: number;
  /** Open WebSocket connections per instance; more are closed with 1013. Default 10,000. */
  maxConnections?: number;
  /** Open connections (both paths) from one remote address; more are closed with 4409. Default 256 (a NAT'd office of tabs). */
  maxConnectionsPerIp?: number;
  /** Open connections (both paths) carrying one token; more are closed with 4409. Default 100. */
  maxConnectionsPerToken?: number;
  /** Rooms (and /y-webrtc topics) held at once by all connections of one remote address; more get MURMUR_TOO_MANY_ROOMS. Default 2,048. */
  maxRoomSlotsPerIp?: number;
  /** Rooms (and /y-webrtc topics) held at once by all connections of one token; more get MURMUR_TOO_MANY_ROOMS. Default 800. */
  maxRoomSlotsPerToken?: number;
  /**
   * A socket that has not joined a room (/y-webrtc: subscribed to a topic) this long after opening,
   * or after leaving its last one, is closed with 4408: idle sockets must not hold slots real clients need. Default 10,000 ms.
   */
  joinTimeoutMs?: number;
  /**
   * Refuse a join without `key` and `sig` (MURMUR_BAD_PEER_PROOF): every peer id is then
   * derived from a key its client proved it holds. false also admits old clients under ids
   * they choose (a join that carries a key is checked either way). Default true.
   */
  requirePeerKeys?: boolean;
  /** Unsent bytes queued to one socket before it counts as a slow reader and is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** On close(), how long to wait for clients to close before terminating them, in ms. Default 5,000. */
  shutdownGraceMs?: number;
  /** Redis URL (redis://host:port/db) to share rooms with other instances; empty runs standalone. Default ''. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. Default 'murmur:'. */
  redisPrefix?: string;
  /**
   * Directory of a LevelDB where the server keeps every room's Yjs document: it joins each room that
   * has a peer here as an ordinary Node peer (keeper.ts; needs @roamhq/wrtc and classic-level). Default '' (off).
   */
  keep?: string;
  /** Least severe log level written. Default 'info'. */
  logLevel?: LogLevel;
  /** Handles HTTP requests other than /healthz, /readyz, /metrics and the upgrade (e.g. a demo's static files). */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Structured log sink; one JSON-able record per event. Default: JSON lines on stdout. */
  log?: (record: LogRecord) => void;
}

export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxPayloadBytes: 128 * 1024,
  sampleSize: 16,
  pingIntervalMs: 30_000,
  authSecret: '',
  allowedOrigins: [] as readonly string[],
  rateLimit: 50,
  rateBurst: 100,
  rateLimitCloseAfter: 200,
  maxRoomsPerConnection: 8,
  maxPeersPerRoom: 1000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 256,
  maxConnectionsPerToken: 100,
  maxRoomSlotsPerIp: 2048,
  maxRoomSlotsPerToken: 800,
  joinTimeoutMs: 10_000,
  maxBufferedBytes: 1024 * 1024,
  requirePeerKeys: true,
  shutdownGraceMs: 5000,
  redisUrl: '',
  redisPrefix: 'murmur:',
  keep: '',
  logLevel: 'info' as LogLevel,
};

export type ResolvedConfig = typeof DEFAULTS & Pick<SignalingServerOptions, 'authenticate' | 'onRequest' | 'log'>;

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

function bad(message: string): MurmurError {
  return new MurmurError(ErrorCode.BAD_CONFIG, message);
}

function checkInteger(config: Record<string, unknown>, name: string, min: number, max: number): void {
  const value = config[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function checkNumber(config: Record<string, unknown>, name: string, min: number, max: number): void {
  const value = config[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw bad(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Merge options over DEFAULTS and validate every field once. */
export function resolveConfig(options: SignalingServerOptions = {}): ResolvedConfig {
  // Explicit `undefined` means "use the default", as with omitted fields.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const config = { ...DEFAULTS, ...given } as ResolvedConfig;
  const record = config as unknown as Record<string, unknown>;
  checkInteger(record, 'port', 0, 65535);
  checkInteger(record, 'maxFrameBytes', 256, 16 * 1024 * 1024);
  checkInteger(record, 'maxPayloadBytes', 256, 64 * 1024 * 1024);
  if (config.maxPayloadBytes < config.maxFrameBytes) {
    throw bad(`maxPayloadBytes (${config.maxPayloadBytes}) must be at least maxFrameBytes (${config.maxFrameBytes})`);
  }
  checkInteger(record, 'sampleSize', 1, 1000);
  checkInteger(record, 'pingIntervalMs', 100, 3_600_000);
  checkNumber(record, 'rateLimit', 0.001, 1_000_000);
  checkInteger(record, 'rateBurst', 1, 1_000_000);
  checkInteger(record, 'rateLimitCloseAfter', 1, 1_000_000_000);
  checkInteger(record, 'maxRoomsPerConnection', 1, 10_000);
  checkInteger(record, 'maxPeersPerRoom', 1, 10_000_000);
  checkInteger(record, 'maxConnections', 1, 10_000_000);
  checkInteger(record, 'maxConnectionsPerIp', 1, 10_000_000);
  checkInteger(record, 'maxConnectionsPerToken', 1, 10_000_000);
  checkInteger(record, 'maxRoomSlotsPerIp', 1, 100_000_000);
  checkInteger(record, 'maxRoomSlotsPerToken', 1, 100_000_000);
  checkInteger(record, 'joinTimeoutMs', 100, 3_600_000);
  checkInteger(record, 'maxBufferedBytes', 1024, 1024 * 1024 * 1024);
  checkInteger(record, 'shutdownGraceMs', 0, 600_000);
  if (typeof config.requirePeerKeys !== 'boolean') throw bad(`requirePeerKeys must be true or false, got ${String(config.requirePeerKeys)}`);
  if (typeof config.host !== 'string' || config.host.trim() === '') {
    throw bad(`host must be a non-empty string, got ${String(config.host)}`);
  }
  if (typeof config.authSecret !== 'string') throw bad('authSecret must be a string');
  if (config.authSecret !== '' && config.authSecret.length < 16) {
    throw bad('authSecret must be at least 16 characters (a short HMAC secret can be guessed)');
  }
  if (config.authenticate !== undefined && typeof config.authenticate !== 'function') {
    throw bad('authenticate must be a function');
  }
  if (config.authenticate !== undefined && config.authSecret !== '') {
    throw bad('set authSecret or authenticate, not both');
  }
  if (!Array.isArray(config.allowedOrigins) || !config.allowedOrigins.every((o) => typeof o === 'string' && o !== '')) {
    throw bad('allowedOrigins must be an array of non-empty strings');
  }
  if (typeof config.redisUrl !== 'string' || (config.redisUrl !== '' && !/^rediss?:\/\//.test(config.redisUrl))) {
    throw bad(`redisUrl must start with redis:// or rediss://, got '${String(config.redisUrl)}'`);
  }
  if (typeof config.redisPrefix !== 'string') throw bad('redisPrefix must be a string');
  if (typeof config.keep !== 'string') throw bad(`keep must be a directory path (string), got ${typeof config.keep}`);
  if (!LOG_LEVELS.includes(config.logLevel)) {
    throw bad(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got '${String(config.logLevel)}'`);
  }
  return config;
}
