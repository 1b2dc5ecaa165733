/**
 * Room tokens: `base64url(JSON payload) "." base64url(HMAC-SHA256(payload))`.
 * A backend that knows the secret mints one per user and room; the browser
 * passes it as `?token=` on the WebSocket URL. Stateless, so any instance
 * behind a load balancer can verify it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { ID_PATTERN, PUBLIC_KEY_BYTES } from '../../shared/src/signaling.js';

const isKey = (value: unknown): value is string =>
  typeof value === 'string' && Buffer.from(value, 'base64url').length === PUBLIC_KEY_BYTES && /^[A-Za-z0-9_-]{43}$/.test(value);

export interface RoomTokenClaims {
  /** The room id the token admits to, or '*' for any room. */
  room: string;
  /** Expiry, in ms since the Unix epoch. */
  expiresAt: number;
  /** The one peer key (base64url Ed25519 public key) the token admits; omit for any. */
  key?: string;
}

export type TokenVerdict = { ok: true; claims: RoomTokenClaims } | { ok: false; reason: string };

/** Tokens are short; refusing long ones early bounds the HMAC work an attacker can cause. */
const MAX_TOKEN_LENGTH = 1024;

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function createRoomToken(claims: RoomTokenClaims, secret: string): string {
  if (claims.room !== '*' && !ID_PATTERN.test(claims.room)) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, `room must be '*' or a room id, got '${claims.room}'`);
  }
  if (!Number.isSafeInteger(claims.expiresAt)) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'expiresAt must be an integer number of ms since the epoch');
  }
  if (secret === '') throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'secret must not be empty');
  if (claims.key !== undefined && !isKey(claims.key)) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'key must be a 32-byte Ed25519 public key in base64url (identity.publicKey)');
  }
  const body = claims.key === undefined ? { room: claims.room, exp: claims.expiresAt } : { room: claims.room, exp: claims.expiresAt, key: claims.key };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/** Check signature, shape and expiry. Never throws: a bad token is data from a stranger. */
export function verifyRoomToken(token: string, secret: string, now: number): TokenVerdict {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token too long' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'token malformed' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(payload, secret), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'token signature invalid' };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'token malformed' };
  }
  const record = decoded as { room?: unknown; exp?: unknown; key?: unknown } | null;
  if (typeof record !== 'object' || record === null || typeof record.room !== 'string' || typeof record.exp !== 'number') {
    return { ok: false, reason: 'token malformed' };
  }
  if (record.exp <= now) return { ok: false, reason: 'token expired' };
  if (record.key !== undefined && !isKey(record.key)) return { ok: false, reason: 'token malformed' };
  const claims: RoomTokenClaims = { room: record.room, expiresAt: record.exp };
  if (record.key !== undefined) claims.key = record.key;
  return { ok: true, claims };
}
