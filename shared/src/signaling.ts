/**
 * The signaling protocol: JSON text frames over one WebSocket at `/signal`.
 * Both the server and the client parse with these functions, so the schema
 * lives in one place. PROTOCOL.md documents the grammar.
 *
 * The server only introduces peers: it relays a `signal` to exactly one
 * addressed peer in the same room, never to the whole room.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode } from './errors.js';

/** Peer ids and room ids: 1–64 characters of [A-Za-z0-9_.:-]. */
export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Default largest accepted signaling frame, in bytes (SDP offers are ~2–6 KiB). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/** Query parameter that carries a room token on the WebSocket URL (browsers cannot set headers). */
export const TOKEN_QUERY_PARAM = 'token';

/**
 * Close codes the signaling server uses, so a client can tell "reconnect"
 * (1001, 1013 after a back-off) from "do not retry with these credentials"
 * (4401, 4403). 4xxx mirror HTTP statuses.
 */
export const SIGNALING_CLOSE_CODES = {
  /** Server shutting down (RFC 6455 "going away"): reconnect, maybe to another instance. */
  GOING_AWAY: 1001,
  /** A frame was over the server's hard payload cap (RFC 6455 "message too big"). */
  TOO_BIG: 1009,
  /** The instance is full (RFC 6455 "try again later"): back off, retry. */
  TRY_AGAIN_LATER: 1013,
  /** Missing, malformed, forged or expired token, or the server's auth hook said no: get a new token. */
  UNAUTHORIZED: 4401,
  /** The page's Origin is not allowed. */
  FORBIDDEN_ORIGIN: 4403,
  /** No room joined (no topic subscribed) within the server's joinTimeoutMs. */
  JOIN_TIMEOUT: 4408,
  /** Over the server's connections per address or per token: close another tab or back off. */
  TOO_MANY_CONNECTIONS: 4409,
  /** The socket kept sending after its rate limit was spent: back off. */
  RATE_LIMITED: 4429,
} as const;

/*
 * Self-certifying peer ids. A peer id is base64url(SHA-256(Ed25519 public key)[0..16]):
 * 128 bits, 22 characters, so finding a second key for someone's id costs
 * ~2^128 hashes. The server checks a join's id against its key and a
 * signature over the connection's challenge, so a token alone no longer
 * lets anyone take any id (PROTOCOL.md, "Signaling: identity").
 */

/** Bytes of the key hash kept in a peer id (128 bits: no one can grind a second key for an id). */
export const PEER_ID_HASH_BYTES = 16;
/** Characters of a derived peer id (base64url of PEER_ID_HASH_BYTES). */
export const DERIVED_PEER_ID_LENGTH = 22;
/** Raw Ed25519 public key and signature sizes, bytes. */
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** The server's challenge: random bytes, sent base64url in the `challenge` frame. */
export const CHALLENGE_BYTES = 16;
/** Domain separation: a join signature can never be mistaken for a signature of anything else. */
const JOIN_PROOF_CONTEXT = 'murmur-signal-join/1';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 §5). Pure: shared/ has no Buffer or btoa. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return out;
}

/** Decode base64url without padding; undefined for anything else (data from strangers). */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!B64URL_PATTERN.test(text) || text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    value = (value << 6) | B64URL.indexOf(text[i] as string);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** The peer id a public key certifies. */
export function derivePeerId(publicKey: Uint8Array): string {
  return toBase64Url(sha256(publicKey).subarray(0, PEER_ID_HASH_BYTES));
}

/**
 * Whether `peer` is an id that `publicKey` certifies: the key's derived id,
 * or that id behind a label and a dot (the signaling server's keeper joins
 * as `keeper.<derived id>`). Derived ids have no dot, so the label is free
 * and the part after it is what certifies; nobody can take another key's id.
 */
export function idCertifiedBy(peer: string, publicKey: Uint8Array): boolean {
  const derived = derivePeerId(publicKey);
  return peer === derived || (peer.length > derived.length + 1 && peer.endsWith(`.${derived}`));
}

/**
 * The bytes a join signs: context, the server's challenge for this socket,
 * the room and the peer id. The challenge makes a captured join useless on
 * any other socket; the room and id make it useless for any other join.
 */
export function joinProofMessage(challenge: string, room: string, peer: string): Uint8Array {
  return new TextEncoder().encode(`${JOIN_PROOF_CONTEXT}\n${challenge}\n${room}\n${peer}`);
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ClientMessage =
  /**
   * Enter `room` as `peer`. One connection may be in several rooms. `key` is the
   * base64url Ed25519 public key `peer` derives from and `sig` its base64url signature
   * of joinProofMessage(challenge, room, peer); a server may accept joins without them
   * (requirePeerKeys: false), never with ones that do not verify.
   */
  | { type: 'join'; room: string; peer: string; key?: string; sig?: string }
  /** Leave `room`; the server tells the others. */
  | { type: 'leave'; room: string }
  /** Relay `data` (SDP offer/answer/ICE candidate) to peer `to` in `room`. */
  | { type: 'signal'; room: string; to: string; data: JsonValue };

export type ServerMessage =
  /** First frame on every socket: the random challenge a join signs (CHALLENGE_BYTES, base64url). */
  | { type: 'challenge'; nonce: string }
  /** Answer to `join`: a bounded random sample of the peers already in the room. */
  | { type: 'joined'; room: string; peer: string; peers: string[] }
  | { type: 'peer-joined'; room: string; peer: string }
  | { type: 'peer-left'; room: string; peer: string }
  | { type: 'signal'; room: string; from: string; data: JsonValue }
  /** A frame was refused; `ref` echoes the offending frame's type when known. */
  | { type: 'error'; code: ErrorCode; message: string; ref?: string };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; ref?: string };

const fail = <T>(code: ErrorCode, message: string, ref?: string): ParseResult<T> =>
  ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkId(frame: Record<string, unknown>, field: string, type: string): string | undefined {
  const value = frame[field];
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    return `'${type}' needs '${field}': a string of 1-64 characters [A-Za-z0-9_.:-], got ${describe(value)}`;
  }
  return undefined;
}

function isBase64UrlOf(value: unknown, bytes: number): boolean {
  return typeof value === 'string' && value.length === Math.ceil((bytes * 4) / 3) && fromBase64Url(value)?.length === bytes;
}

/** `key` and `sig` come together, each the exact base64url length of its bytes. */
function checkProof(frame: Record<string, unknown>): string | undefined {
  if (frame.key === undefined && frame.sig === undefined) return undefined;
  if (!isBase64UrlOf(frame.key, PUBLIC_KEY_BYTES)) {
    return `'join' needs 'key': a ${PUBLIC_KEY_BYTES}-byte Ed25519 public key in base64url, got ${describe(frame.key)}`;
  }
  if (!isBase64UrlOf(frame.sig, SIGNATURE_BYTES)) {
    return `'join' needs 'sig': a ${SIGNATURE_BYTES}-byte Ed25519 signature in base64url, got ${describe(frame.sig)}`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 24 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return `a ${typeof value}`;
}

function byteLength(text: string): number {
  // UTF-8 length without allocating: the server checks this on every frame.
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Validate one frame from a client. Never throws: the server answers a
 * failure with an `error` frame carrying the code and keeps serving.
 */
export function parseClientMessage(
  raw: string | Uint8Array,
  isBinary: boolean,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): ParseResult<ClientMessage> {
  if (isBinary || typeof raw !== 'string') {
    return fail(ErrorCode.BINARY_FRAME, 'signaling frames are JSON text; got a binary frame');
  }
  const size = byteLength(raw);
  if (size > maxFrameBytes) {
    return fail(ErrorCode.FRAME_TOO_LARGE, `frame is ${size} bytes; the limit is ${maxFrameBytes}`);
  }
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.BAD_JSON, 'frame is not valid JSON');
  }
  if (!isRecord(frame)) return fail(ErrorCode.BAD_FRAME, `frame must be a JSON object, got ${describe(frame)}`);
  const type = frame.type;
  if (typeof type !== 'string') return fail(ErrorCode.BAD_FRAME, `frame needs a string 'type', got ${describe(type)}`);
  switch (type) {
    case 'join': {
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'peer', type) ?? checkProof(frame);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      const value: ClientMessage = { type, room: frame.room as string, peer: frame.peer as string };
      if (frame.key !== undefined) {
        value.key = frame.key as string;
        value.sig = frame.sig as string;
      }
      return { ok: true, value };
    }
    case 'leave': {
      const problem = checkId(frame, 'room', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      return { ok: true, value: { type, room: frame.room as string } };
    }
    case 'signal': {
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'to', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      if (!isRecord(frame.data)) {
        return fail(ErrorCode.BAD_FRAME, `'signal' needs 'data': a JSON object, got ${describe(frame.data)}`, type);
      }
      return {
        ok: true,
        value: { type, room: frame.room as string, to: frame.to as string, data: frame.data as JsonValue },
      };
    }
    default:
      return fail(ErrorCode.UNKNOWN_TYPE, `unknown frame type ${describe(type)}; expected join, leave or signal`, type.slice(0, 32));
  }
}

/** Validate one frame from the server (the client trusts no one either). */
export function parseServerMessage(raw: string): ParseResult<ServerMessage> {
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.BAD_JSON, 'server frame is not valid JSON');
  }
  if (!isRecord(frame) || typeof frame.type !== 'string') {
    return fail(ErrorCode.BAD_FRAME, 'server frame must be an object with a string type');
  }
  const type = frame.type;
  switch (type) {
    case 'challenge': {
      if (!isBase64UrlOf(frame.nonce, CHALLENGE_BYTES)) {
        return fail(ErrorCode.BAD_FRAME, `'challenge' needs 'nonce': ${CHALLENGE_BYTES} bytes in base64url`, type);
      }
      return { ok: true, value: { type, nonce: frame.nonce as string } };
    }
    case 'joined': {
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'peer', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      const peers = frame.peers;
      if (!Array.isArray(peers) || !peers.every((p) => typeof p === 'string' && ID_PATTERN.test(p))) {
        return fail(ErrorCode.BAD_FRAME, "'joined' needs 'peers': an array of peer ids", type);
      }
      return { ok: true, value: { type, room: frame.room as string, peer: frame.peer as string, peers: peers as string[] } };
    }
    case 'peer-joined':
    case 'peer-left': {
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'peer', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      return { ok: true, value: { type, room: frame.room as string, peer: frame.peer as string } };
    }
    case 'signal': {
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'from', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      if (!isRecord(frame.data)) return fail(ErrorCode.BAD_FRAME, "'signal' needs 'data': a JSON object", type);
      return { ok: true, value: { type, room: frame.room as string, from: frame.from as string, data: frame.data as JsonValue } };
    }
    case 'error': {
      if (typeof frame.code !== 'string' || typeof frame.message !== 'string') {
        return fail(ErrorCode.BAD_FRAME, "'error' needs string 'code' and 'message'", type);
      }
      const value: ServerMessage = { type, code: frame.code as ErrorCode, message: frame.message };
      if (typeof frame.ref === 'string') value.ref = frame.ref;
      return { ok: true, value };
    }
    default:
      return fail(ErrorCode.UNKNOWN_TYPE, `unknown server frame type ${describe(type)}`, type.slice(0, 32));
  }
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
