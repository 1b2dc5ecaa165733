/**
 * `room.broadcast(topic, data, { to })`: ephemeral app events. Arguments are
 * checked once here, with errors that name the bad one.
 */
import type { PeerId } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { MAX_TOPIC_LENGTH } from './channel-codec.js';

/** A received app event. `direct` is true when it was sent to this peer only (`{ to }`). */
export interface RoomMessage {
  from: PeerId;
  topic: string;
  /** JSON arrives as parsed JSON (so a Date arrives as its ISO string); bytes arrive as a Uint8Array. */
  data: JsonValue | Uint8Array;
  direct: boolean;
}

export interface BroadcastOptions {
  /** Send to this one peer instead of everyone. */
  to?: PeerId;
}

/** Largest message body, in bytes (JSON text or raw bytes). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

const bad = (message: string): MurmurError => new MurmurError(ErrorCode.BAD_ARGUMENT, message);

export interface CheckedMessage {
  topic: string;
  data: JsonValue | Uint8Array;
  to: PeerId | undefined;
}

export function checkMessage(topic: unknown, data: unknown, options: unknown, selfId: PeerId): CheckedMessage {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw bad(`broadcast topic must be a string of 1-${MAX_TOPIC_LENGTH} characters, got ${JSON.stringify(topic) ?? String(topic)}`);
  }
  let checked: JsonValue | Uint8Array;
  let size: number;
  if (data instanceof Uint8Array) {
    checked = data;
    size = data.byteLength;
  } else {
    let json: string | undefined;
    try {
      json = JSON.stringify(data);
    } catch (error) {
      throw bad(`broadcast data must be JSON-serializable or a Uint8Array: ${(error as Error).message}`);
    }
    if (json === undefined) throw bad(`broadcast data must be JSON-serializable or a Uint8Array, got ${typeof data}`);
    checked = JSON.parse(json) as JsonValue;
    size = json.length;
  }
  if (size > MAX_MESSAGE_BYTES) throw bad(`broadcast data is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw bad('broadcast options must be an object like { to: peerId }');
  }
  const to = (options as BroadcastOptions | undefined)?.to;
  if (to !== undefined && (typeof to !== 'string' || to.length === 0)) throw bad(`broadcast options.to must be a peer id, got ${String(to)}`);
  if (to === selfId) throw bad('broadcast options.to is this peer itself');
  return { topic, data: checked, to };
}
