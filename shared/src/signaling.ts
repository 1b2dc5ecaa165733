/**
 * The signaling protocol: JSON text frames over one WebSocket at `/signal`.
 * Both the server and the client parse with these functions, so the schema
 * lives in one place. PROTOCOL.md documents the grammar.
 *
 * The server only introduces peers: it relays a `signal` to exactly one
 * addressed peer in the same room, never to the whole room.
 */
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
  /** The socket kept sending after its rate limit was spent: back off. */
  RATE_LIMITED: 4429,
} as const;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type ClientMessage =
  /** Enter `room` as `peer`. One connection may be in several rooms. */
  | { type: 'join'; room: string; peer: string }
  /** Leave `room`; the server tells the others. */
  | { type: 'leave'; room: string }
  /** Relay `data` (SDP offer/answer/ICE candidate) to peer `to` in `room`. */
  | { type: 'signal'; room: string; to: string; data: JsonValue };

export type ServerMessage =
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
      const problem = checkId(frame, 'room', type) ?? checkId(frame, 'peer', type);
      if (problem) return fail(ErrorCode.BAD_FRAME, problem, type);
      return { ok: true, value: { type, room: frame.room as string, peer: frame.peer as string } };
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
