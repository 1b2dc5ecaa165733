/**
 * `joinRoom` options: one object, documented defaults, validated once with
 * an error that names the bad field.
 */
import type * as Y from 'yjs';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { Presence } from '../../shared/src/engine/types.js';
import { GOSSIP_BOUNDS, GOSSIP_DEFAULTS } from '../../shared/src/gossip/config.js';
import { utf8Length } from '../../shared/src/gossip/wire/presence-json.js';
import { ID_PATTERN } from '../../shared/src/signaling.js';
import type { WebSocketConstructor } from './signaling-client.js';
import { createIdentity, isIdentity, type Identity } from './identity.js';

export interface JoinOptions {
  /** Signaling server URL(s), e.g. 'ws://127.0.0.1:8787/signal'. Several: the client uses the ones that answer. */
  signaling: string | readonly string[];
  /**
   * This tab's peer id in the room. Default: `identity.id`. An id that is not the identity's
   * joins unsigned, which a server that checks keys (the default) refuses: for servers run
   * with requirePeerKeys: false only.
   */
  peerId?: string;
  /** Presence to start with. Default {}. */
  presence?: Presence;
  /** Coalesce presence updates to one per this many ms. Default 50; 16–1000. */
  presenceThrottleMs?: number;
  /** Passed to RTCPeerConnection: STUN/TURN servers, iceTransportPolicy. */
  rtcConfig?: RTCConfiguration;
  /** A WebRTC implementation outside browsers (e.g. `@roamhq/wrtc`). */
  wrtc?: unknown;
  /** A WebSocket constructor outside browsers (e.g. the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /** Give up on a link whose handshake has not finished after this many ms. Default 15,000. */
  handshakeTimeoutMs?: number;
  /** Most WebRTC links this tab keeps open (the engine's active view). Default 8; 1–8. */
  maxLinks?: number;
  /** The Y.Doc to keep in sync across the room. Default: a new one (`room.doc`). Its clientID is replaced by one bound to the peer id, new each session (shared/PROTOCOL.md). */
  doc?: Y.Doc;
  /** Mean period of doc anti-entropy with one random peer, ms (jittered ±50%). Default 8000; 1000–60000. */
  syncIntervalMs?: number;
  /** Keep room.doc in IndexedDB (browser), so a reload starts from it before any peer answers. Default false. */
  persist?: boolean;

  // --- Identity and password (issue 13; README "Identity and passwords") ---
  /** The key pair this tab's id derives from (createIdentity / importIdentity). Default: a fresh one per joinRoom. */
  identity?: Identity;
  /**
   * Room password: signaling envelopes (SDP, ICE) are sealed with AES-GCM under a key from
   * PBKDF2-SHA-256 (room id as salt), so the server sees only routing fields and a tab
   * without the password cannot link. Default: none.
   */
  password?: string;
  // --- end identity and password ---
}

export interface ResolvedOptions {
  signaling: string[];
  peerId: string | undefined;
  presence: Presence;
  presenceThrottleMs: number;
  rtcConfig: RTCConfiguration | undefined;
  wrtc: unknown;
  WebSocket: WebSocketConstructor | undefined;
  handshakeTimeoutMs: number;
  maxLinks: number;
  doc: Y.Doc | undefined;
  syncIntervalMs: number;
  persist: boolean;
  // --- Identity and password ---
  identity: Identity;
  password: string | undefined;
}

/** The engine's defaults and bounds are the client's: one source for every limit (shared/src/gossip/config.ts). */
export const DEFAULTS = {
  presenceThrottleMs: GOSSIP_DEFAULTS.presence.throttleMs,
  handshakeTimeoutMs: 15_000,
  // Chrome caps a tab at ~500 RTCPeerConnections over its life, and each
  // link costs a DTLS/SCTP association: a sparse mesh of ≤ 8 scales to
  // any room size (HyParView's active view).
  maxLinks: GOSSIP_DEFAULTS.overlay.maxLinks,
  syncIntervalMs: 8_000,
} as const;

/**
 * Largest presence object, as UTF-8 bytes of its JSON (awareness entry
 * included): it rides on every link. The engine's limit, so the two cannot
 * disagree (they did: 16 KiB of UTF-16 units here, 4,096 bytes there).
 */
export const MAX_PRESENCE_BYTES = GOSSIP_DEFAULTS.limits.maxPresenceBytes;

const bad = (message: string): MurmurError => new MurmurError(ErrorCode.BAD_ARGUMENT, message);

export function checkRoomId(roomId: unknown): string {
  if (typeof roomId !== 'string' || !ID_PATTERN.test(roomId)) {
    throw bad(`roomId must be 1-64 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(roomId) ?? String(roomId)}`);
  }
  return roomId;
}

export function checkPresence(value: unknown, field: string): Presence {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`${field} must be a plain object, got ${Array.isArray(value) ? 'an array' : String(value)}`);
  }
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw bad(`${field} must be JSON-serializable: ${(error as Error).message}`);
  }
  const bytes = utf8Length(json);
  if (bytes > MAX_PRESENCE_BYTES) {
    throw bad(`${field} is ${bytes} bytes as JSON; the limit is ${MAX_PRESENCE_BYTES}`);
  }
  return JSON.parse(json) as Presence;
}

const bounds = ([min, max]: readonly [number, number, boolean?]): [number, number] => [min, max];

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`options.${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: unknown): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw bad('joinRoom needs an options object with at least { signaling: "ws://…/signal" }');
  }
  const o = { ...DEFAULTS, ...(options as JoinOptions) };
  const urls = typeof o.signaling === 'string' ? [o.signaling] : Array.isArray(o.signaling) ? [...o.signaling] : null;
  if (!urls || urls.length === 0) throw bad('options.signaling must be a ws:// or wss:// URL or a non-empty array of them');
  for (const url of urls) {
    if (typeof url !== 'string' || !/^wss?:\/\/[^\s]+$/.test(url)) {
      throw bad(`options.signaling has ${JSON.stringify(url)}; expected a ws:// or wss:// URL`);
    }
  }
  if (o.peerId !== undefined && (typeof o.peerId !== 'string' || !ID_PATTERN.test(o.peerId))) {
    throw bad(`options.peerId must be 1-64 characters of [A-Za-z0-9_.:-], got ${JSON.stringify(o.peerId)}`);
  }
  if (o.WebSocket !== undefined && typeof o.WebSocket !== 'function') throw bad('options.WebSocket must be a constructor');
  if (o.rtcConfig !== undefined && (typeof o.rtcConfig !== 'object' || o.rtcConfig === null)) {
    throw bad('options.rtcConfig must be an RTCConfiguration object');
  }
  if (o.persist !== undefined && typeof o.persist !== 'boolean') throw bad(`options.persist must be true or false, got ${String(o.persist)}`);
  if (o.doc !== undefined && !isYDocLike(o.doc)) {
    throw bad('options.doc must be a Y.Doc (from the same yjs copy the app uses)');
  }
  // --- Identity and password ---
  if (o.identity !== undefined && !isIdentity(o.identity)) throw bad('options.identity must be an identity from createIdentity() or importIdentity()');
  // A label and a dot before the identity's id (the keeper's `keeper.<id>`) still certifies the key on links.
  if (o.identity !== undefined && o.peerId !== undefined && o.peerId !== o.identity.id && !o.peerId.endsWith(`.${o.identity.id}`)) {
    throw bad(`options.peerId '${o.peerId}' is not options.identity's id '${o.identity.id}'; omit peerId (the id derives from the key)`);
  }
  if (o.password !== undefined && (typeof o.password !== 'string' || o.password === '')) {
    throw bad('options.password must be a non-empty string');
  }
  const identity = o.identity ?? createIdentity();
  // --- end identity and password ---
  return {
    signaling: urls,
    peerId: o.peerId,
    identity,
    password: o.password,
    presence: o.presence === undefined ? {} : checkPresence(o.presence, 'options.presence'),
    presenceThrottleMs: checkInteger('presenceThrottleMs', o.presenceThrottleMs, ...bounds(GOSSIP_BOUNDS.presence.throttleMs)),
    handshakeTimeoutMs: checkInteger('handshakeTimeoutMs', o.handshakeTimeoutMs, 1000, 120_000),
    maxLinks: checkInteger('maxLinks', o.maxLinks, ...bounds(GOSSIP_BOUNDS.overlay.maxLinks)),
    rtcConfig: o.rtcConfig,
    wrtc: o.wrtc,
    WebSocket: o.WebSocket,
    doc: o.doc,
    syncIntervalMs: checkInteger('syncIntervalMs', o.syncIntervalMs, 1000, 60_000),
    persist: o.persist ?? false,
  };
}

/** Duck-typed, so a Y.Doc from a second yjs copy is still accepted rather than refused by `instanceof`. */
function isYDocLike(value: unknown): value is Y.Doc {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as { clientID?: unknown; on?: unknown; transact?: unknown; getMap?: unknown };
  return typeof doc.clientID === 'number' && typeof doc.on === 'function' && typeof doc.transact === 'function' && typeof doc.getMap === 'function';
}
