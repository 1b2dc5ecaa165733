/**
 * Link negotiation messages carried over the mesh (engine `route`), so a tab
 * already in the room can open new links while every signaling server is
 * down. Route payloads start with a channel byte; 0 is this one.
 *
 *   meshSignal = 0x00 key:bytes(32) sig:bytes(64) json:utf8
 *   signed     = string("murmur-mesh-signal/1") string(room) string(from) string(to) json
 *
 * The JSON is the same envelope the server relays (sealed, with a room
 * password). A ROUTE's origin is only what its sender wrote, so the envelope
 * carries its origin's public key and signature: the receiver checks that
 * the origin id derives from the key and the signature from it covers this
 * room, this origin, this addressee and these bytes. A peer relaying (or
 * forging) a ROUTE cannot then offer in another peer's name nor re-address
 * an envelope. Cost: 98 bytes and one Ed25519 signature per envelope, one
 * verification per envelope received.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import * as encoding from 'lib0/encoding';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { Reader, WireError } from '../../shared/src/gossip/wire/reader.js';
import { encodeWith } from '../../shared/src/gossip/wire/scratch-encoder.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, fromBase64Url, type JsonValue } from '../../shared/src/signaling.js';
import type { Identity } from './identity.js';
import { idCertifiedBy } from '../../shared/src/signaling.js';

export const MESH_SIGNAL_CHANNEL = 0;
export const MESH_SIGNAL_CONTEXT = 'murmur-mesh-signal/1';
const MAX_SIGNAL_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Who a mesh signal is from and to, in which room: what its signature covers. */
export interface MeshSignalRoute {
  room: string;
  from: string;
  to: string;
}

function signedBytes(route: MeshSignalRoute, json: Uint8Array): Uint8Array {
  return encodeWith((e) => {
    encoding.writeVarString(e, MESH_SIGNAL_CONTEXT);
    encoding.writeVarString(e, route.room);
    encoding.writeVarString(e, route.from);
    encoding.writeVarString(e, route.to);
    encoding.writeUint8Array(e, json);
  });
}

/** Sign `data` as `identity` (route.from is its id) for route.to. */
export function encodeMeshSignal(data: JsonValue, identity: Identity, route: MeshSignalRoute): Uint8Array {
  const json = encoder.encode(JSON.stringify(data));
  const key = fromBase64Url(identity.publicKey);
  if (key === undefined || key.length !== PUBLIC_KEY_BYTES) throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'identity.publicKey must be 32 bytes in base64url');
  const signature = identity.sign(signedBytes(route, json));
  return encodeWith((e) => {
    encoding.writeUint8(e, MESH_SIGNAL_CHANNEL);
    encoding.writeVarUint8Array(e, key);
    encoding.writeVarUint8Array(e, signature);
    encoding.writeUint8Array(e, json);
  });
}

/**
 * The envelope, once its signature proves route.from sent it to route.to.
 * Throws WireError (MURMUR_BAD_WIRE) for anything but a mesh signal holding
 * a JSON object, MurmurError MURMUR_BAD_SIGNAL_SIGNATURE for a false origin.
 */
export function decodeMeshSignal(payload: Uint8Array, route: MeshSignalRoute): JsonValue {
  const reader = new Reader(payload);
  if (reader.u8() !== MESH_SIGNAL_CHANNEL) throw new WireError('unknown-type', 'not a mesh signal');
  const key = reader.bytesOf(PUBLIC_KEY_BYTES, 'mesh signal key');
  const signature = reader.bytesOf(SIGNATURE_BYTES, 'mesh signal signature');
  if (key.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) throw new WireError('invalid', 'mesh signal key or signature of the wrong size');
  if (reader.remaining > MAX_SIGNAL_BYTES) throw new WireError('over-limit', `mesh signal of ${reader.remaining} bytes is over the limit ${MAX_SIGNAL_BYTES}`);
  const json = payload.subarray(reader.pos);
  if (!idCertifiedBy(route.from, key)) throw new MurmurError(ErrorCode.BAD_SIGNAL_SIGNATURE, `mesh signal's key is not origin ${route.from}'s`);
  let signed = false;
  try {
    signed = ed25519.verify(signature, signedBytes(route, json), key);
  } catch {
    signed = false;
  }
  if (!signed) throw new MurmurError(ErrorCode.BAD_SIGNAL_SIGNATURE, `mesh signal from ${route.from} is not signed for this room and addressee`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(json));
  } catch {
    throw new WireError('invalid', 'mesh signal is not JSON in UTF-8');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireError('invalid', 'mesh signal must be a JSON object');
  return value as JsonValue;
}
