/**
 * App channels multiplexed into the engine's opaque broadcast/route
 * payloads. One header byte names the channel; the table is append-only and
 * documented in client/CHANNELS.md. It lives in shared/ because doc sync
 * (doc-sync.ts) is sans-IO and the simulator runs it too. Decoding is
 * bounds-checked: bad bytes from a peer become a WireError (MURMUR_BAD_WIRE)
 * for the caller to count and drop, never a hang or a huge allocation.
 */
import * as encoding from 'lib0/encoding';
import { Reader, WireError } from '../gossip/wire/reader.js';
import type { JsonValue } from '../signaling.js';

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
} as const;

/** Retired channel numbers, never reused: PING 5 and PONG 6 (round trips come from the engine's probes). */
export const RESERVED_CHANNELS: ReadonlySet<number> = new Set([5, 6]);

/**
 * What a SYNC_STEP1 asks for (its mode byte). ONLY APPEND.
 * - `pull`: answer with step 2 (what I lack).
 * - `exchange`: answer with step 2 and your own `pull` back.
 * - `announce`: here is what I hold; pull from me if you lack something, and answer `answer` if I lack
 *   something you hold. No step 2 unasked: a newcomer announced by all its neighbours at once must not
 *   get the whole document from each of them.
 * - `answer`: the reply to an announce; pull from me if you lack something, never answered in turn.
 * A peer that predates modes 2 and 3 reads every byte but 1 as `pull`, so it still answers them
 * with step 2; a byte above 3 is read as `pull` here too.
 */
export const SyncMode = { pull: 0, exchange: 1, announce: 2, answer: 3 } as const;
export type SyncModeName = keyof typeof SyncMode;
const SYNC_MODE_NAMES: readonly SyncModeName[] = ['pull', 'exchange', 'announce', 'answer'];

export type ChannelFrame =
  | { channel: typeof Channel.DOC_UPDATE; update: Uint8Array }
  | { channel: typeof Channel.SYNC_STEP1; stateVector: Uint8Array; mode: SyncModeName }
  | { channel: typeof Channel.SYNC_STEP2; update: Uint8Array }
  | { channel: typeof Channel.MESSAGE; topic: string; data: JsonValue | Uint8Array };

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
      encoding.writeUint8(encoder, SyncMode[frame.mode]);
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
  }
  return encoding.toUint8Array(encoder);
}

/** Longest update, message or topic accepted from a peer, bytes (the engine refuses bigger payloads anyway). */
const MAX_BODY_BYTES = 1 << 24;

/**
 * Decode one channel frame with the engine wire's Reader: the same bounds
 * checks, the same WireError reasons, and trailing bytes refused as the
 * engine wire refuses them. Retired channels (PING, PONG) decode to
 * `reserved`, whatever their body, for the caller to skip.
 */
export function decodeFrame(bytes: Uint8Array): ChannelFrame | { channel: 'reserved'; number: number } {
  const reader = new Reader(bytes);
  const channel = reader.u8();
  if (RESERVED_CHANNELS.has(channel)) return { channel: 'reserved', number: channel };
  const frame = readBody(reader, channel);
  reader.end();
  return frame;
}

function readBody(reader: Reader, channel: number): ChannelFrame {
  switch (channel) {
    case Channel.DOC_UPDATE:
      return { channel, update: reader.bytesOf(MAX_BODY_BYTES, 'update') };
    case Channel.SYNC_STEP2:
      return { channel, update: reader.bytesOf(MAX_BODY_BYTES, 'update') };
    case Channel.SYNC_STEP1: {
      const stateVector = reader.bytesOf(MAX_BODY_BYTES, 'state vector');
      return { channel, stateVector, mode: SYNC_MODE_NAMES[reader.u8()] ?? 'pull' };
    }
    case Channel.MESSAGE: {
      const topic = reader.string(4 * MAX_TOPIC_LENGTH, 'topic');
      if (topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) throw new WireError('over-limit', `topic of ${topic.length} characters`);
      const kind = reader.u8();
      if (kind === DATA_BYTES) {
        // A plain Uint8Array for the app, even when the link handed us a Node Buffer.
        const data = reader.bytesOf(MAX_BODY_BYTES, 'data');
        return { channel, topic, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      }
      if (kind !== DATA_JSON) throw new WireError('unknown-type', `unknown data kind ${kind}`);
      const text = reader.string(MAX_BODY_BYTES, 'data');
      try {
        return { channel, topic, data: JSON.parse(text) as JsonValue };
      } catch {
        throw new WireError('invalid', 'message data is not JSON');
      }
    }
    default:
      throw new WireError('unknown-type', `unknown channel ${channel}`);
  }
}
