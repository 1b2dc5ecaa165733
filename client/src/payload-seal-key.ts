/**
 * The payload key of a room with a password: HKDF-SHA-256 of the 256 PBKDF2
 * bits that signal-seal.ts uses as its AES-GCM key, under its own label, so
 * the signaling key and the payload key say nothing about each other (and
 * the link-auth key, another label over the same bits, nothing about either).
 *
 * `derivePayloadKey` runs PBKDF2 itself; where one run already gives the
 * bits for every room key (link-auth-key.ts's deriveRoomSecrets), pass them
 * to `payloadKeyFromBits` instead and pay the password's cost once.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { PBKDF2_ITERATIONS } from './signal-seal.js';

/** HKDF info: the key's purpose and format version. */
export const PAYLOAD_KEY_INFO = 'murmur-payload-seal/1 key';
/** XChaCha20-Poly1305 key bytes. */
export const PAYLOAD_KEY_BYTES = 32;

const encoder = new TextEncoder();

/** HKDF-SHA-256(ikm = the room's PBKDF2 bits, no salt, info = PAYLOAD_KEY_INFO) → 32 bytes. */
export function payloadKeyFromBits(bits: Uint8Array): Uint8Array {
  return hkdf(sha256, bits, undefined, encoder.encode(PAYLOAD_KEY_INFO), PAYLOAD_KEY_BYTES);
}

/** PBKDF2-SHA-256(password, salt = room id, iterations) → 256 bits → payloadKeyFromBits. */
export async function derivePayloadKey(password: string, room: string, iterations: number = PBKDF2_ITERATIONS): Promise<Uint8Array> {
  const api = globalThis.crypto?.subtle;
  if (api === undefined) throw new MurmurError(ErrorCode.BAD_CONFIG, 'options.password needs WebCrypto (crypto.subtle): a secure context (https or localhost) or Node 20+');
  const material = await api.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = new Uint8Array(await api.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode(room), iterations }, material, 256));
  const key = payloadKeyFromBits(bits);
  bits.fill(0);
  return key;
}
