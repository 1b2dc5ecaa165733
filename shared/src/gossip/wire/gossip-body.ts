/**
 * The body of a GOSSIP frame: what a broadcast says. Bodies travel the
 * Plumtree unchanged from hop to hop, so the engine keeps their encoded bytes
 * and forwards them without re-encoding; only the frame header (round) changes.
 *
 *   body     = kind:u8 fields
 *   ALIVE    = 1 incarnation:varuint                       origin is the peer
 *   SUSPECT  = 2 peer:string incarnation:varuint           origin is the suspector
 *   DEAD     = 3 peer:string incarnation:varuint           origin is the judge
 *   (4: retired, the unsigned LEFT before signed messages)
 *   (5: retired, the unsigned PRESENCE before signed messages)
 *   (6: retired, the unsigned DATA before signed messages)
 *   ROUTED   = 7 from:string to:string payload:bytes       routing fallback flood
 *   HEARSAY  = 8 peer:string incarnation:varuint           origin merged a record holding peer suspect or dead
 *   DATA     = 9 payload:bytes key:32 signature:64         app broadcast, signed by its origin (trust.ts)
 *   PRESENCE = 10 version:varuint json:string key:32 signature:64   origin is the owner, who signed it (trust.ts)
 *   LEFT     = 11 incarnation:varuint key:32 signature:64  origin is the leaver, who signed it (trust.ts leftSigned)
 */
import * as encoding from 'lib0/encoding';
import { ErrorCode, MurmurError } from '../../errors.js';
import type { PeerId, Presence } from '../../engine/types.js';
import { parsePresence } from './presence-json.js';
import { Reader, WireError } from './reader.js';
import { encodeWith } from './scratch-encoder.js';
import type { WireLimits } from './limits.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../signaling.js';

export const BodyKind = { ALIVE: 1, SUSPECT: 2, DEAD: 3, ROUTED: 7, HEARSAY: 8, DATA: 9, PRESENCE: 10, LEFT: 11 } as const;

/** Body kinds no longer sent, never to be reused: refused as a peer on an older protocol. */
export const RESERVED_BODY_KINDS = {
  /** A goodbye before it was signed (issue 13): anyone could say another had left. */
  UNSIGNED_LEFT: 4,
  /** Presence before it was signed (issue 13): anyone could set another's. */
  UNSIGNED_PRESENCE: 5,
  /** App broadcasts before they were signed (issue 13): anyone could send one in another's name. */
  UNSIGNED_DATA: 6,
} as const;

export type GossipBody =
  | { kind: 'alive'; incarnation: number }
  /**
   * `hearsay`: not the origin's own failure to reach the peer but a dead
   * or suspect record it merged (a healed partition's verdict); receivers give it the
   * full suspicion time (see Liveness.mergeRecord). Encoded as HEARSAY.
   */
  | { kind: 'suspect'; peer: PeerId; incarnation: number; hearsay?: boolean }
  | { kind: 'dead'; peer: PeerId; incarnation: number }
  /** `key` and `signature`: the leaver's, over trust.ts leftSigned(origin, incarnation). */
  | { kind: 'left'; incarnation: number; key: Uint8Array; signature: Uint8Array }
  /** `key` and `signature`: the owner's, over trust.ts presenceSigned(origin, version, json). */
  | { kind: 'presence'; version: number; presence: Presence; json: string; key: Uint8Array; signature: Uint8Array }
  /** `key`: the origin's Ed25519 public key; `signature`: its signature over trust.ts dataSigned(origin, seq, payload). */
  | { kind: 'data'; payload: Uint8Array; key: Uint8Array; signature: Uint8Array }
  | { kind: 'routed'; from: PeerId; to: PeerId; payload: Uint8Array };

export function writeGossipBody(encoder: encoding.Encoder, body: GossipBody): void {
  switch (body.kind) {
    case 'alive':
      encoding.writeUint8(encoder, BodyKind.ALIVE);
      encoding.writeVarUint(encoder, body.incarnation);
      break;
    case 'suspect':
    case 'dead':
      encoding.writeUint8(encoder, body.kind === 'dead' ? BodyKind.DEAD : body.hearsay === true ? BodyKind.HEARSAY : BodyKind.SUSPECT);
      encoding.writeVarString(encoder, body.peer);
      encoding.writeVarUint(encoder, body.incarnation);
      break;
    case 'left':
      encoding.writeUint8(encoder, BodyKind.LEFT);
      encoding.writeVarUint(encoder, body.incarnation);
      writeFixed(encoder, body.key, PUBLIC_KEY_BYTES, 'LEFT key');
      writeFixed(encoder, body.signature, SIGNATURE_BYTES, 'LEFT signature');
      break;
    case 'presence':
      encoding.writeUint8(encoder, BodyKind.PRESENCE);
      encoding.writeVarUint(encoder, body.version);
      encoding.writeVarString(encoder, body.json);
      writeFixed(encoder, body.key, PUBLIC_KEY_BYTES, 'PRESENCE key');
      writeFixed(encoder, body.signature, SIGNATURE_BYTES, 'PRESENCE signature');
      break;
    case 'data':
      encoding.writeUint8(encoder, BodyKind.DATA);
      encoding.writeVarUint8Array(encoder, body.payload);
      writeFixed(encoder, body.key, PUBLIC_KEY_BYTES, 'DATA key');
      writeFixed(encoder, body.signature, SIGNATURE_BYTES, 'DATA signature');
      break;
    case 'routed':
      encoding.writeUint8(encoder, BodyKind.ROUTED);
      encoding.writeVarString(encoder, body.from);
      encoding.writeVarString(encoder, body.to);
      encoding.writeVarUint8Array(encoder, body.payload);
      break;
  }
}

/** Raw bytes of a fixed length (keys, signatures): a wrong length is a bug of the caller's, not bad input. */
export function writeFixed(encoder: encoding.Encoder, bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new MurmurError(ErrorCode.BAD_ARGUMENT, `${what} must be ${length} bytes, got ${bytes.length}`);
  encoding.writeUint8Array(encoder, bytes);
}

export function encodeGossipBody(body: GossipBody): Uint8Array {
  return encodeWith((encoder) => writeGossipBody(encoder, body));
}

export function readGossipBody(reader: Reader, limits: WireLimits): GossipBody {
  const kind = reader.u8();
  switch (kind) {
    case BodyKind.ALIVE:
      return { kind: 'alive', incarnation: reader.counter('incarnation') };
    case BodyKind.SUSPECT:
    case BodyKind.HEARSAY:
    case BodyKind.DEAD: {
      const peer = reader.string(limits.maxPeerIdBytes, 'peer id');
      const incarnation = reader.counter('incarnation');
      if (kind === BodyKind.DEAD) return { kind: 'dead', peer, incarnation };
      return kind === BodyKind.HEARSAY ? { kind: 'suspect', peer, incarnation, hearsay: true } : { kind: 'suspect', peer, incarnation };
    }
    case BodyKind.LEFT:
      return { kind: 'left', incarnation: reader.counter('incarnation'), key: reader.fixed(PUBLIC_KEY_BYTES, 'LEFT key'), signature: reader.fixed(SIGNATURE_BYTES, 'LEFT signature') };
    case RESERVED_BODY_KINDS.UNSIGNED_LEFT:
      throw new WireError('unknown-type', 'unsigned LEFT (gossip body kind 4, retired): the sender runs an older protocol');
    case BodyKind.PRESENCE: {
      const version = reader.counter('presence version');
      const json = reader.string(limits.maxPresenceBytes, 'presence');
      const presence = parsePresence(json);
      return { kind: 'presence', version, json, presence, key: reader.fixed(PUBLIC_KEY_BYTES, 'PRESENCE key'), signature: reader.fixed(SIGNATURE_BYTES, 'PRESENCE signature') };
    }
    case BodyKind.DATA:
      return { kind: 'data', payload: reader.bytesOf(limits.maxPayloadBytes, 'payload'), key: reader.fixed(PUBLIC_KEY_BYTES, 'DATA key'), signature: reader.fixed(SIGNATURE_BYTES, 'DATA signature') };
    case BodyKind.ROUTED: {
      const from = reader.string(limits.maxPeerIdBytes, 'peer id');
      const to = reader.string(limits.maxPeerIdBytes, 'peer id');
      return { kind: 'routed', from, to, payload: reader.bytesOf(limits.maxPayloadBytes, 'payload') };
    }
    case RESERVED_BODY_KINDS.UNSIGNED_PRESENCE:
      throw new WireError('unknown-type', 'unsigned PRESENCE (gossip body kind 5, retired): the sender runs an older protocol');
    case RESERVED_BODY_KINDS.UNSIGNED_DATA:
      throw new WireError('unknown-type', 'unsigned DATA (gossip body kind 6, retired): the sender runs an older protocol');
    default:
      throw new WireError('unknown-type', `unknown gossip body kind ${kind}`);
  }
}

/** Decodes a whole body (as cached or forwarded), refusing trailing bytes. */
export function decodeGossipBody(bytes: Uint8Array, limits: WireLimits): GossipBody {
  const reader = new Reader(bytes);
  const body = readGossipBody(reader, limits);
  reader.end();
  return body;
}
