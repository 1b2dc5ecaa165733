/**
 * What MurmurNetworkAdapters say to each other on the room topic
 * 'automerge', CBOR-encoded (Automerge sync messages are bytes):
 *
 *   arrive  { k, peerId, meta }  to everyone (and to each later member): this repo connected; answer with welcome
 *   welcome { k, peerId, meta }  to the one that arrived
 *   leave   { k, peerId }        to everyone: this repo disconnected
 *   msg     { k, e, s, m }       to one peer: automerge-repo Message number s of session e (reliable.ts)
 *   ack     { k, e, s }          to one peer: its messages of session e up to s arrived
 *   part    { k, id, i, n, b }   to one peer: piece i of n of a msg too big for one room message
 *
 * Decoding checks every field: a frame from a room member is untrusted input.
 */
import { cbor, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo/slim';

export const AUTOMERGE_TOPIC = 'automerge';

export type AdapterFrame =
  | { k: 'arrive' | 'welcome'; peerId: PeerId; meta: PeerMetadata }
  | { k: 'leave'; peerId: PeerId }
  | { k: 'msg'; e: number; s: number; m: Message }
  | { k: 'ack'; e: number; s: number }
  | { k: 'part'; id: number; i: number; n: number; b: Uint8Array };

/** Most pieces one message may be cut into (at 64 KiB a piece: 64 MiB). */
export const MAX_PARTS = 1024;

export function encodeFrame(frame: AdapterFrame): Uint8Array {
  return cbor.encode(frame);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPeerId = (value: unknown): value is PeerId => typeof value === 'string' && value.length > 0 && value.length <= 256;
const isCount = (value: unknown, max: number): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

/** The frame, or a string saying what is wrong with the bytes. */
export function decodeFrame(bytes: Uint8Array): AdapterFrame | string {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (error) {
    return `not CBOR: ${(error as Error).message}`;
  }
  if (!isRecord(value)) return 'frame is not a map';
  switch (value.k) {
    case 'arrive':
    case 'welcome':
      if (!isPeerId(value.peerId)) return `'${value.k}' needs a peerId string`;
      return { k: value.k, peerId: value.peerId, meta: isRecord(value.meta) ? (value.meta as PeerMetadata) : {} };
    case 'leave':
      return isPeerId(value.peerId) ? { k: 'leave', peerId: value.peerId } : "'leave' needs a peerId string";
    case 'msg': {
      const m = value.m;
      if (!isRecord(m) || typeof m.type !== 'string' || !isPeerId(m.senderId) || !isPeerId(m.targetId)) {
        return "'msg' needs a message with type, senderId and targetId";
      }
      if (!isCount(value.e, 2 ** 32) || !isCount(value.s, Number.MAX_SAFE_INTEGER)) return "'msg' needs a session e and a sequence number s";
      return { k: 'msg', e: value.e, s: value.s, m: m as unknown as Message };
    }
    case 'ack':
      if (!isCount(value.e, 2 ** 32) || !isCount(value.s, Number.MAX_SAFE_INTEGER)) return "'ack' needs a session e and a sequence number s";
      return { k: 'ack', e: value.e, s: value.s };
    case 'part':
      if (!isCount(value.id, 2 ** 32) || !isCount(value.n, MAX_PARTS) || value.n < 2 || !isCount(value.i, value.n - 1) || !(value.b instanceof Uint8Array)) {
        return "'part' needs id, 0 <= i < n <= MAX_PARTS and bytes b";
      }
      return { k: 'part', id: value.id, i: value.i, n: value.n, b: value.b };
    default:
      return `unknown frame kind ${JSON.stringify(value.k)?.slice(0, 32) ?? typeof value.k}`;
  }
}
