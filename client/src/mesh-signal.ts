/**
 * Link negotiation messages carried over the mesh (engine `route`), so a tab
 * already in the room can open new links while every signaling server is
 * down. Route payloads start with a channel byte; 0 is this one.
 *
 *   meshSignal = 0x00 json:utf8      (the same envelope the server relays)
 */
import { Reader, WireError } from '../../shared/src/gossip/wire/reader.js';
import type { JsonValue } from '../../shared/src/signaling.js';

export const MESH_SIGNAL_CHANNEL = 0;
const MAX_SIGNAL_BYTES = 64 * 1024;

const encoder = new TextEncoder();

export function encodeMeshSignal(data: JsonValue): Uint8Array {
  const json = encoder.encode(JSON.stringify(data));
  const out = new Uint8Array(json.length + 1);
  out[0] = MESH_SIGNAL_CHANNEL;
  out.set(json, 1);
  return out;
}

/** Throws WireError (MURMUR_BAD_WIRE) for anything but a mesh signal holding a JSON object. */
export function decodeMeshSignal(payload: Uint8Array): JsonValue {
  const reader = new Reader(payload);
  if (reader.u8() !== MESH_SIGNAL_CHANNEL) throw new WireError('unknown-type', 'not a mesh signal');
  const text = reader.rest(MAX_SIGNAL_BYTES, 'mesh signal');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WireError('invalid', 'mesh signal is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WireError('invalid', 'mesh signal must be a JSON object');
  return value as JsonValue;
}
