/**
 * A tab's identity: an Ed25519 key pair whose public key certifies its peer
 * id (id = base64url(SHA-256(publicKey)[0..16]), shared/src/signaling.ts).
 * The signaling server checks that a join's id derives from a key the client
 * holds, so a room token no longer lets anyone take someone else's id.
 *
 * Pure JS (@noble/curves), synchronous: the same key can later sign inside
 * the sans-IO engine, handed in by the driver. Keep it with
 * `localStorage.setItem('murmur-id', JSON.stringify(exportIdentity(id)))`
 * and `importIdentity(JSON.parse(…))` to come back under the same id.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { derivePeerId, fromBase64Url, toBase64Url } from '../../shared/src/signaling.js';

export interface Identity {
  /** The peer id this key certifies (22 characters). */
  readonly id: string;
  /** The Ed25519 public key, base64url (43 characters): what a room token's `key` claim names. */
  readonly publicKey: string;
  /** Sign bytes with the secret key (64-byte Ed25519 signature). */
  sign(message: Uint8Array): Uint8Array;
}

/** The JSON-safe form of an identity. It holds the secret key: store it as you would a session secret. */
export interface ExportedIdentity {
  /** Format version. */
  v: 1;
  /** The 32-byte Ed25519 secret key (seed), base64url. */
  secretKey: string;
}

const SECRET = Symbol('murmur.identity.secret');
type OwnIdentity = Identity & { readonly [SECRET]: Uint8Array };

function fromSecret(secretKey: Uint8Array): Identity {
  const publicKey = ed25519.getPublicKey(secretKey);
  const identity: OwnIdentity = {
    id: derivePeerId(publicKey),
    publicKey: toBase64Url(publicKey),
    sign: (message) => ed25519.sign(message, secretKey),
    [SECRET]: secretKey,
  };
  return Object.freeze(identity);
}

/** The secret key of an identity made here (createIdentity, importIdentity); undefined for one the app built itself. */
export function secretKeyOf(identity: Identity): Uint8Array | undefined {
  const secret = (identity as Partial<OwnIdentity>)[SECRET];
  return secret instanceof Uint8Array ? secret : undefined;
}

/** A fresh identity from the platform's CSPRNG (crypto.getRandomValues). */
export function createIdentity(): Identity {
  return fromSecret(ed25519.utils.randomSecretKey());
}

export function exportIdentity(identity: Identity): ExportedIdentity {
  const secret = (identity as Partial<OwnIdentity>)[SECRET];
  if (!(secret instanceof Uint8Array)) throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'exportIdentity needs an identity made by createIdentity or importIdentity');
  return { v: 1, secretKey: toBase64Url(secret) };
}

/** Rebuild an identity from exportIdentity's output (or its JSON.parse). Throws BAD_ARGUMENT naming what is wrong. */
export function importIdentity(exported: unknown): Identity {
  const record = exported as Partial<ExportedIdentity> | null;
  if (typeof record !== 'object' || record === null || record.v !== 1 || typeof record.secretKey !== 'string') {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'importIdentity needs { v: 1, secretKey: "<base64url>" } as exportIdentity returns');
  }
  const secret = fromBase64Url(record.secretKey);
  if (secret === undefined || secret.length !== 32) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'importIdentity: secretKey must be 32 bytes in base64url');
  }
  return fromSecret(secret);
}

/** Duck-typed check of `options.identity`. */
export function isIdentity(value: unknown): value is Identity {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Identity>;
  return typeof v.id === 'string' && typeof v.publicKey === 'string' && typeof v.sign === 'function';
}
