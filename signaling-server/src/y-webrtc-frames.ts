/**
 * The frames of y-webrtc 10's signaling protocol (its bin/server.js), checked
 * the way murmur's own frames are: a frame is JSON text of at most
 * maxFrameBytes, an object with a known `type` and fields of the right types.
 * y-webrtc's own server JSON.parses whatever comes and dies on the first
 * frame that is not JSON; this one answers with a typed error instead.
 *
 *   subscribe   { type, topics: string[] }   join topics (rooms)
 *   unsubscribe { type, topics: string[] }   leave them
 *   publish     { type, topic, data }        to every subscriber of topic, the sender too
 *   ping        { type }                     answered with { type: 'pong' }
 */
import { ErrorCode } from '../../shared/src/errors.js';
import type { JsonValue, ParseResult } from '../../shared/src/signaling.js';

/** Longest topic, in characters. y-webrtc topics are room names; 256 leaves room for prefixed names. */
export const MAX_TOPIC_LENGTH = 256;
/** Most topics one subscribe/unsubscribe frame may name. */
export const MAX_TOPICS_PER_FRAME = 64;

export type YWebrtcClientFrame =
  | { type: 'subscribe' | 'unsubscribe'; topics: string[] }
  | { type: 'publish'; topic: string; data: JsonValue }
  | { type: 'ping' };

export type YWebrtcServerFrame =
  | { type: 'publish'; topic: string; data: JsonValue; clients: number }
  | { type: 'pong' }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string };

const fail = (code: ErrorCode, message: string, ref?: string): ParseResult<never> =>
  ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref };

function isTopic(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TOPIC_LENGTH;
}

function topicsOf(frame: Record<string, unknown>, type: string): string[] | string {
  const topics = frame.topics;
  if (!Array.isArray(topics) || topics.length === 0 || topics.length > MAX_TOPICS_PER_FRAME) {
    return `'${type}' needs 'topics': an array of 1-${MAX_TOPICS_PER_FRAME} topic names`;
  }
  if (!topics.every(isTopic)) return `'${type}' topics must be strings of 1-${MAX_TOPIC_LENGTH} characters`;
  return [...new Set(topics)];
}

/** Validate one client frame. Never throws. `size` is the frame's UTF-8 length (ws gives it for free). */
export function parseYWebrtcFrame(raw: string, isBinary: boolean, size: number, maxFrameBytes: number): ParseResult<YWebrtcClientFrame> {
  if (isBinary) return fail(ErrorCode.BINARY_FRAME, 'y-webrtc frames are JSON text; got a binary frame');
  if (size > maxFrameBytes) return fail(ErrorCode.FRAME_TOO_LARGE, `frame is ${size} bytes; the limit is ${maxFrameBytes}`);
  let frame: unknown;
  try {
    frame = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.BAD_JSON, 'frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return fail(ErrorCode.BAD_FRAME, 'frame must be a JSON object');
  }
  const record = frame as Record<string, unknown>;
  const type = record.type;
  switch (type) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = topicsOf(record, type);
      if (typeof topics === 'string') return fail(ErrorCode.BAD_FRAME, topics, type);
      return { ok: true, value: { type, topics } };
    }
    case 'publish': {
      if (!isTopic(record.topic)) return fail(ErrorCode.BAD_FRAME, `'publish' needs 'topic': a string of 1-${MAX_TOPIC_LENGTH} characters`, type);
      if (record.data === undefined) return fail(ErrorCode.BAD_FRAME, "'publish' needs 'data'", type);
      return { ok: true, value: { type, topic: record.topic, data: record.data as JsonValue } };
    }
    case 'ping':
      return { ok: true, value: { type } };
    default:
      if (typeof type !== 'string') return fail(ErrorCode.BAD_FRAME, "frame needs a string 'type'");
      return fail(ErrorCode.UNKNOWN_TYPE, `unknown frame type '${type.slice(0, 32)}'; expected subscribe, unsubscribe, publish or ping`);
  }
}
