/**
 * Who may open a signaling socket, decided once on the WebSocket upgrade.
 * A refused socket is still upgraded and then closed with a code and reason
 * from CLOSE_CODES, because browsers hide the HTTP status of a failed upgrade
 * but do show a WebSocket close code.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SIGNALING_CLOSE_CODES, TOKEN_QUERY_PARAM } from '../../shared/src/signaling.js';
import type { AdmissionDecision, AuthHook, ResolvedConfig } from './config.js';
import { verifyRoomToken } from './room-token.js';

/**
 * Every close code the server uses: shared/'s table, so clients read the same
 * codes (4408 and 4409 live there too since PROTOCOL.md lists them).
 */
export const CLOSE_CODES = {
  ...SIGNALING_CLOSE_CODES,
} as const;

export type Refusal = { code: number; reason: string; metric: string };

/** What an admitted connection may do, from its token or the hook. */
export interface Grant {
  /**
   * Rooms it may join: one room (a room token names one; the string is the token's own, a
   * Set of one cost 178 bytes a socket), a set of them, or undefined for any. Ask `grantAdmits`.
   */
  rooms: string | ReadonlySet<string> | undefined;
  /** ms since epoch at which the socket is closed with 4401 (and joins refused); Infinity for never. */
  expiresAt: number;
  /** Remote address, for the per-IP caps. */
  address: string;
  /**
   * What the per-token caps count by: a 128-bit digest of the token it was admitted with (see
   * tokenCapKey); undefined when the server checks none.
   */
  token: string | undefined;
  /** False for the server's own keeper (see KEEPER_QUERY_PARAM): the caps per address and token skip it. */
  capped: boolean;
  /** The peer key (base64url) the token names; joins must prove it. Undefined: any key. */
  key: string | undefined;
}

/** The query parameter with which the keeper proves it is this process's own (a random key per start). */
export const KEEPER_QUERY_PARAM = 'keeper';

function queryParam(url: string | undefined, name: string): string | undefined {
  const query = (url ?? '').split('?')[1];
  if (query === undefined) return undefined;
  return new URLSearchParams(query).get(name) ?? undefined;
}

export function tokenFromUrl(url: string | undefined): string | undefined {
  return queryParam(url, TOKEN_QUERY_PARAM);
}

/** The built-in hook: an HMAC room token signed with `secret`. */
export function roomTokenHook(secret: string, now: () => number = Date.now): AuthHook {
  return ({ token }) => {
    if (token === undefined || token === '') return { ok: false, reason: 'token required' };
    const verdict = verifyRoomToken(token, secret, now());
    if (!verdict.ok) return verdict;
    const { room, expiresAt, key } = verdict.claims;
    const keyed = key === undefined ? {} : { key };
    return room === '*' ? { ok: true, expiresAt, ...keyed } : { ok: true, rooms: [room], expiresAt, ...keyed };
  };
}

export function originAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  // Non-browser clients send no Origin; an allowlist only binds browsers, which always send one.
  if (allowed.length === 0) return true;
  return origin !== undefined && allowed.includes(origin);
}

/** Decide admission; a thrown or rejected hook counts as a refusal, never a crash. */
export async function admit(
  config: Pick<ResolvedConfig, 'allowedOrigins'>,
  hook: AuthHook | undefined,
  request: IncomingMessage,
  keeperKey?: string,
): Promise<Grant | Refusal> {
  const origin = request.headers.origin;
  if (!originAllowed(config.allowedOrigins, origin)) {
    return { code: CLOSE_CODES.FORBIDDEN_ORIGIN, reason: `origin not allowed: ${String(origin).slice(0, 64)}`, metric: 'origin' };
  }
  const address = peerAddress(request);
  const capped = keeperKey === undefined || queryParam(request.url, KEEPER_QUERY_PARAM) !== keeperKey;
  if (hook === undefined) return { rooms: undefined, expiresAt: Infinity, address, token: undefined, capped, key: undefined };
  const token = tokenFromUrl(request.url);
  let decision: AdmissionDecision;
  try {
    decision = await hook({ token, origin, request });
  } catch (error) {
    return { code: CLOSE_CODES.UNAUTHORIZED, reason: `auth hook failed: ${String(error).slice(0, 64)}`, metric: 'auth' };
  }
  if (!decision.ok) return { code: CLOSE_CODES.UNAUTHORIZED, reason: `unauthorized: ${decision.reason}`.slice(0, 120), metric: 'auth' };
  return {
    rooms: decision.rooms === undefined ? undefined : decision.rooms.length === 1 ? (decision.rooms[0] as string) : new Set(decision.rooms),
    expiresAt: decision.expiresAt ?? Infinity,
    address,
    token: token === undefined ? undefined : tokenCapKey(token),
    capped,
    key: typeof decision.key === 'string' ? decision.key : undefined,
  };
}

/**
 * The client's address, for the caps per IP. `socket.remoteAddress` caches
 * the object it reads the address into on the socket (`_peername`), which
 * costs every socket a new property, its storage and that object (~130 bytes)
 * for its whole life; this reads the address from the handle as that getter
 * does, and falls back to the getter where there is no such handle.
 */
function peerAddress(request: IncomingMessage): string {
  type PeerHandle = { getpeername?: (out: { address?: unknown }) => number };
  const handle = (request.socket as unknown as { _handle?: PeerHandle | null })._handle;
  if (typeof handle?.getpeername === 'function') {
    const out: { address?: unknown } = {};
    if (handle.getpeername(out) === 0 && typeof out.address === 'string') return out.address;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

/**
 * A token as the caps per token know it: SHA-256 cut to 16 bytes, 22
 * characters. The token itself is ~100 characters and, read from the URL, a
 * slice that keeps the whole query string alive: ~150 bytes a socket holds for
 * its life, for a key whose only use is to be counted.
 */
export function tokenCapKey(token: string): string {
  return createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url');
}

/** Whether `grant` lets its connection into `room`. */
export function grantAdmits(grant: Pick<Grant, 'rooms'>, room: string): boolean {
  const rooms = grant.rooms;
  return rooms === undefined || (typeof rooms === 'string' ? rooms === room : rooms.has(room));
}

export function isRefusal(result: Grant | Refusal): result is Refusal {
  return 'code' in result;
}
