/**
 * Link negotiation messages carried over the mesh (engine `route`), so a tab
 * already in the room can open new links while every signaling server is
 * down. Route payloads start with a channel byte; 0 is this one.
 *
 *   meshSignal = 0x00 json:utf8      (the same envelope the server relays)
 */
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';

export const MESH_SIGNAL_CHANNEL = 0;
const MAX_SIGNAL_BYTES = 64 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeMeshSignal(data: JsonValue): Uint8Array {
  const json = encoder.encode(JSON.stringify(data));
  const out = new Uint8Array(json.length + 1);
  out[0] = MESH_SIGNAL_CHANNEL;
  out.set(json, 1);
  return out;
}

/** Throws MurmurError(BAD_WIRE) for anything but a mesh signal holding a JSON object. */
export function decodeMeshSignal(payload: Uint8Array): JsonValue {
  if (payload[0] !== MESH_SIGNAL_CHANNEL) throw new MurmurError(ErrorCode.BAD_WIRE, 'not a mesh signal');
  if (payload.length > MAX_SIGNAL_BYTES) {
    throw new MurmurError(ErrorCode.BAD_WIRE, `mesh signal of ${payload.length} bytes is over ${MAX_SIGNAL_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload.subarray(1)));
  } catch {
    throw new MurmurError(ErrorCode.BAD_WIRE, 'mesh signal is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MurmurError(ErrorCode.BAD_WIRE, 'mesh signal must be a JSON object');
  }
  return value as JsonValue;
}
