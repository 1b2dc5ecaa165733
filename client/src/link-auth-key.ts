/**
 * A room password's keys, from one PBKDF2 run: the 256 bits that
 * signal-seal.ts has always used as its AES-GCM key (WebCrypto's deriveKey
 * for AES-GCM-256 takes exactly PBKDF2's first 256 bits, so sealed envelopes
 * stay compatible), and the link-auth MAC key and the payload key, each
 * HKDF-SHA-256 of those bits under its own label so no key says anything
 * about another. Paying
 * PBKDF2 twice would double the password's cost to every join.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { PBKDF2_ITERATIONS } from './signal-seal.js';

const LINK_KEY_INFO = new TextEncoder().encode('murmur-link-auth/1 mac key');
/** payload-seal's key label (its branch derives the same bytes; one PBKDF2 run then serves all three keys). */
const PAYLOAD_KEY_INFO = new TextEncoder().encode('murmur-payload-seal/1 key');
const encoder = new TextEncoder();

export interface RoomSecrets {
  /** signal-seal.ts's envelope key (AES-GCM-256, not extractable). */
  sealKey: CryptoKey;
  /** link-auth.ts's HMAC-SHA-256 key, 32 bytes. */
  linkKey: Uint8Array;
  /** The end-to-end payload key (payload-seal, XChaCha20-Poly1305), 32 raw bytes. */
  payloadKey: Uint8Array;
}

export async function deriveRoomSecrets(password: string, room: string, iterations: number = PBKDF2_ITERATIONS): Promise<RoomSecrets> {
  const api = globalThis.crypto?.subtle;
  if (api === undefined) throw new MurmurError(ErrorCode.BAD_CONFIG, 'options.password needs WebCrypto (crypto.subtle): a secure context (https or localhost) or Node 20+');
  const material = await api.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await api.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode(room), iterations }, material, 256));
  const sealKey = await api.importKey('raw', bits, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const linkKey = hkdf(sha256, bits, undefined, LINK_KEY_INFO, 32);
  const payloadKey = hkdf(sha256, bits, undefined, PAYLOAD_KEY_INFO, 32);
  bits.fill(0);
  return { sealKey, linkKey, payloadKey };
}
