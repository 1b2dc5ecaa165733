/**
 * App channels multiplexed into the engine's opaque broadcast/route
 * payloads. One header byte names the channel; the table is append-only and
 * documented in client/CHANNELS.md. Decoding is bounds-checked: bad bytes
 * from a peer become a MURMUR_BAD_WIRE error for the caller to count and
 * drop, never a hang or a huge allocation.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';

/** ONLY APPEND. */
export const Channel = {
  /** A Yjs update made here, spread by broadcast. */
  DOC_UPDATE: 1,
  /** Yjs sync step 1: my state vector; answer with step 2. */
  SYNC_STEP1: 2,
  /** Yjs sync step 2: the update the asker lacks. */
  SYNC_STEP2: 3,
  /** An app event: topic and JSON or bytes. */
  MESSAGE: 4,
  /** Round-trip probe to a neighbour; answered by PONG. */
  PING: 5,
  PONG: 6,
} as const;

export type ChannelFrame =
  | { channel: typeof Channel.DOC_UPDATE; update: Uint8Array }
  /** `reciprocate`: the receiver also sends its own step 1 back. */
  | { channel: typeof Channel.SYNC_STEP1; stateVector: Uint8Array; reciprocate: boolean }
  | { channel: typeof Channel.SYNC_STEP2; update: Uint8Array }
  | { channel: typeof Channel.MESSAGE; topic: string; data: JsonValue | Uint8Array }
  | { channel: typeof Channel.PING; sentAt: number }
  | { channel: typeof Channel.PONG; sentAt: number };

const DATA_JSON = 0;
const DATA_BYTES = 1;

/** Longest topic, in UTF-16 code units. */
export const MAX_TOPIC_LENGTH = 256;

export function encodeFrame(frame: ChannelFrame): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, frame.channel);
  switch (frame.channel) {
    case Channel.DOC_UPDATE:
    case Channel.SYNC_STEP2:
      encoding.writeVarUint8Array(encoder, frame.update);
      break;
    case Channel.SYNC_STEP1:
      encoding.writeVarUint8Array(encoder, frame.stateVector);
      encoding.writeUint8(encoder, frame.reciprocate ? 1 : 0);
      break;
    case Channel.MESSAGE:
      encoding.writeVarString(encoder, frame.topic);
      if (frame.data instanceof Uint8Array) {
        encoding.writeUint8(encoder, DATA_BYTES);
        encoding.writeVarUint8Array(encoder, frame.data);
      } else {
        encoding.writeUint8(encoder, DATA_JSON);
        encoding.writeVarString(encoder, JSON.stringify(frame.data));
      }
      break;
    case Channel.PING:
    case Channel.PONG:
      encoding.writeFloat64(encoder, frame.sentAt);
      break;
  }
  return encoding.toUint8Array(encoder);
}

const badWire = (message: string): MurmurError => new MurmurError(ErrorCode.BAD_WIRE, message);

function readByte(decoder: decoding.Decoder, what: string): number {
  if (decoder.pos >= decoder.arr.length) throw badWire(`truncated frame: no ${what}`);
  return decoding.readUint8(decoder);
}

function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = decoding.readVarUint(decoder);
  if (length > decoder.arr.length - decoder.pos) throw badWire(`${what} claims ${length} bytes; ${decoder.arr.length - decoder.pos} remain`);
  return decoding.readUint8Array(decoder, length);
}

function readString(decoder: decoding.Decoder, what: string): string {
  const bytes = readBytes(decoder, what);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function readFloat(decoder: decoding.Decoder, what: string): number {
  if (decoder.arr.length - decoder.pos < 8) throw badWire(`truncated frame: no ${what}`);
  const value = decoding.readFloat64(decoder);
  if (!Number.isFinite(value)) throw badWire(`${what} is not a finite number`);
  return value;
}

/**
 * Decode one channel frame. Trailing bytes after a known body are ignored so
 * a later version may append fields. Throws MurmurError MURMUR_BAD_WIRE.
 */
export function decodeFrame(bytes: Uint8Array): ChannelFrame {
  const decoder = decoding.createDecoder(bytes);
  try {
    const channel = readByte(decoder, 'channel byte');
    switch (channel) {
      case Channel.DOC_UPDATE:
        return { channel, update: readBytes(decoder, 'update') };
      case Channel.SYNC_STEP2:
        return { channel, update: readBytes(decoder, 'update') };
      case Channel.SYNC_STEP1: {
        const stateVector = readBytes(decoder, 'state vector');
        return { channel, stateVector, reciprocate: readByte(decoder, 'reciprocate flag') === 1 };
      }
      case Channel.MESSAGE: {
        const topic = readString(decoder, 'topic');
        if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) throw badWire(`topic of ${topic.length} characters`);
        const kind = readByte(decoder, 'data kind');
        if (kind === DATA_BYTES) return { channel, topic, data: readBytes(decoder, 'data') };
        if (kind !== DATA_JSON) throw badWire(`unknown data kind ${kind}`);
        return { channel, topic, data: JSON.parse(readString(decoder, 'data')) as JsonValue };
      }
      case Channel.PING:
        return { channel, sentAt: readFloat(decoder, 'timestamp') };
      case Channel.PONG:
        return { channel, sentAt: readFloat(decoder, 'timestamp') };
      default:
        throw badWire(`unknown channel ${channel}`);
    }
  } catch (error) {
    if (error instanceof MurmurError) throw error;
    throw badWire((error as Error).message);
  }
}
