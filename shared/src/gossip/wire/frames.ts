/**
 * Gossip frames: one frame per data-channel message, `type:u8 body`.
 * The type table is APPEND-ONLY: never renumber, never reuse a retired number.
 * PROTOCOL.md documents the grammar; keep the two in step.
 */
import * as encoding from 'lib0/encoding';
import type { PeerId } from '../../engine/types.js';
import { ErrorCode, MurmurError } from '../../errors.js';
import { readGossipBody, writeFixed, type GossipBody } from './gossip-body.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../signaling.js';
import type { WireLimits } from './limits.js';
import { parsePresence } from './presence-json.js';
import { Reader, WireError } from './reader.js';
import { encodeWith } from './scratch-encoder.js';
import type { Presence } from '../../engine/types.js';

/** Wire protocol version carried in HELLO; a peer with another version is refused. */
export const PROTOCOL_VERSION = 1;

export const FrameType = {
  HELLO: 1,
  WELCOME: 2,
  REFUSE: 3,
  DISCONNECT: 4,
  FORWARD_JOIN: 5,
  SHUFFLE: 6,
  SHUFFLE_REPLY: 7,
  PING: 8,
  ACK: 9,
  GOSSIP: 10,
  IHAVE: 11,
  GRAFT: 12,
  DIGEST: 14,
  ROUTE: 16,
  TREE: 17,
  GOT: 18,
  RECORDS: 19,
} as const;

/**
 * Retired frame numbers: never reused. A peer still sending one is not an
 * error; the decoder skips the frame (see the `reserved` rows of PROTOCOL.md).
 */
export const RESERVED_FRAME_TYPES = {
  /** Plumtree's PRUNE: the spanning tree owns tree links now. */
  PRUNE: 13,
  /** RECORDS before presence was signed (issue 13): its records carried no owner's signature. */
  UNSIGNED_RECORDS: 15,
} as const;

const RESERVED: ReadonlySet<number> = new Set(Object.values(RESERVED_FRAME_TYPES));

/** Why a node opened a link (HyParView's JOIN / NEIGHBOR(priority) / FORWARDJOIN end). */
export type HelloIntent = 'join' | 'forward' | 'high' | 'low';
const INTENTS: readonly HelloIntent[] = ['join', 'forward', 'high', 'low'];

/** Member status; the numeric rank orders verdicts at equal incarnation. */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';
export const STATUS_RANK: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };
const STATUSES: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];

export interface MemberRecord {
  peer: PeerId;
  incarnation: number;
  status: MemberStatus;
  presenceVersion: number;
  presenceJson: string;
  presence: Presence;
  /**
   * The owner's key and signature over its presence (trust.ts presenceSigned), which anyone copying
   * the record passes on unchanged; empty at version 0 (the empty presence every member starts with).
   */
  presenceKey: Uint8Array;
  presenceSignature: Uint8Array;
  /** At status `left`: the leaver's key and signature over its goodbye (trust.ts leftSigned); else empty. */
  leftKey: Uint8Array;
  leftSignature: Uint8Array;
}

/** The proof of presence version 0, which nobody signs. */
export const UNSIGNED = new Uint8Array(0);

export interface GossipId {
  origin: PeerId;
  seq: number;
}

/** What a ROUTE frame carries: an app payload, or a probe and its answer. */
export type RouteContent = { kind: 'app'; payload: Uint8Array } | { kind: 'ping'; seq: number } | { kind: 'ack'; seq: number };

export interface TreeAdvertFields {
  seq: number;
  root: PeerId;
  distance: number;
  parent: PeerId;
}

export type Frame =
  | { type: 'hello'; version: number; intent: HelloIntent; incarnation: number }
  | { type: 'welcome'; incarnation: number }
  | { type: 'refuse'; peers: PeerId[] }
  | { type: 'disconnect' }
  | { type: 'forward-join'; peer: PeerId; ttl: number }
  | { type: 'shuffle'; peers: PeerId[] }
  | { type: 'shuffle-reply'; peers: PeerId[] }
  /** `digest`: anti-entropy bucket hashes riding on the probe (SWIM piggybacking), or empty. */
  /** `tree`: our broadcast-tree advert, refreshed on every probe so a lost TREE frame heals. */
  | { type: 'ping'; seq: number; suspected: boolean; digest: readonly number[]; tree?: TreeAdvertFields }
  | { type: 'ack'; seq: number; tree?: TreeAdvertFields }
  /** `body` is decoded; `bodyBytes` is the same body still encoded, for forwarding. */
  | { type: 'gossip'; origin: PeerId; seq: number; round: number; body: GossipBody; bodyBytes: Uint8Array }
  | { type: 'ihave'; entries: Array<GossipId & { round: number }> }
  | { type: 'graft'; entries: GossipId[] }
  /** A retired frame number, skipped on receipt (decoded only, never sent). */
  | { type: 'reserved'; number: number }
  | { type: 'digest'; hashes: readonly number[] }
  | { type: 'records'; bucketCount: number; buckets: number[]; wantBack: boolean; records: MemberRecord[] }
  | { type: 'route'; origin: PeerId; to: PeerId; ttl: number; content: RouteContent }
  /**
   * Broadcast-tree advert: our root, our distance to it, our parent ('' at the root); `seq` orders adverts.
   * `neighbors`: our active view, so neighbours see two hops of the link graph (Overlay's cut-vertex repair).
   */
  | { type: 'tree'; seq: number; root: PeerId; distance: number; parent: PeerId; neighbors: readonly PeerId[] }
  /** Acknowledges GOSSIP payloads received on a tree link (the sender stops retransmitting). */
  | { type: 'got'; entries: GossipId[] };

const ROUTE_KIND = { app: 0, ping: 1, ack: 2 } as const;

function writePeers(encoder: encoding.Encoder, peers: readonly PeerId[]): void {
  encoding.writeVarUint(encoder, peers.length);
  for (const peer of peers) encoding.writeVarString(encoder, peer);
}

function readPeers(reader: Reader, limits: WireLimits): PeerId[] {
  const n = reader.count(1, limits.maxListItems, 'peer ids');
  const peers: PeerId[] = [];
  for (let i = 0; i < n; i++) peers.push(reader.string(limits.maxPeerIdBytes, 'peer id'));
  return peers;
}

export function writeRecord(encoder: encoding.Encoder, record: MemberRecord): void {
  encoding.writeVarString(encoder, record.peer);
  encoding.writeVarUint(encoder, record.incarnation);
  encoding.writeUint8(encoder, STATUS_RANK[record.status]);
  encoding.writeVarUint(encoder, record.presenceVersion);
  encoding.writeVarString(encoder, record.presenceJson);
  if (record.presenceVersion > 0) {
    writeFixed(encoder, record.presenceKey, PUBLIC_KEY_BYTES, 'presence key');
    writeFixed(encoder, record.presenceSignature, SIGNATURE_BYTES, 'presence signature');
  }
  if (record.status === 'left') {
    writeFixed(encoder, record.leftKey, PUBLIC_KEY_BYTES, 'LEFT key');
    writeFixed(encoder, record.leftSignature, SIGNATURE_BYTES, 'LEFT signature');
  }
}

function readRecord(reader: Reader, limits: WireLimits): MemberRecord {
  const peer = reader.string(limits.maxPeerIdBytes, 'peer id');
  const incarnation = reader.counter('incarnation');
  const status = STATUSES[reader.u8()];
  if (status === undefined) throw new WireError('unknown-type', 'unknown member status');
  const presenceVersion = reader.counter('presence version');
  const presenceJson = reader.string(limits.maxPresenceBytes, 'presence');
  const presence = parsePresence(presenceJson);
  const presenceKey = presenceVersion === 0 ? UNSIGNED : reader.fixed(PUBLIC_KEY_BYTES, 'presence key');
  const presenceSignature = presenceVersion === 0 ? UNSIGNED : reader.fixed(SIGNATURE_BYTES, 'presence signature');
  const leftKey = status === 'left' ? reader.fixed(PUBLIC_KEY_BYTES, 'LEFT key') : UNSIGNED;
  const leftSignature = status === 'left' ? reader.fixed(SIGNATURE_BYTES, 'LEFT signature') : UNSIGNED;
  return { peer, incarnation, status, presenceVersion, presenceJson, presence, presenceKey, presenceSignature, leftKey, leftSignature };
}

/** Writes a GOSSIP frame around an already-encoded body (the forwarding path). */
export function encodeGossipFrame(origin: PeerId, seq: number, round: number, bodyBytes: Uint8Array): Uint8Array {
  return encodeWith((encoder) => {
    encoding.writeUint8(encoder, FrameType.GOSSIP);
    encoding.writeVarString(encoder, origin);
    encoding.writeVarUint(encoder, seq);
    encoding.writeVarUint(encoder, round);
    encoding.writeUint8Array(encoder, bodyBytes);
  });
}

export function encodeFrame(frame: Frame): Uint8Array {
  if (frame.type === 'gossip') return encodeGossipFrame(frame.origin, frame.seq, frame.round, frame.bodyBytes);
  return encodeWith((encoder) => writeFrame(encoder, frame));
}

function writeFrame(encoder: encoding.Encoder, frame: Exclude<Frame, { type: 'gossip' }>): void {
  switch (frame.type) {
    case 'hello':
      encoding.writeUint8(encoder, FrameType.HELLO);
      encoding.writeVarUint(encoder, frame.version);
      encoding.writeUint8(encoder, INTENTS.indexOf(frame.intent));
      encoding.writeVarUint(encoder, frame.incarnation);
      break;
    case 'welcome':
      encoding.writeUint8(encoder, FrameType.WELCOME);
      encoding.writeVarUint(encoder, frame.incarnation);
      break;
    case 'refuse':
      encoding.writeUint8(encoder, FrameType.REFUSE);
      writePeers(encoder, frame.peers);
      break;
    case 'disconnect':
      encoding.writeUint8(encoder, FrameType.DISCONNECT);
      break;
    case 'forward-join':
      encoding.writeUint8(encoder, FrameType.FORWARD_JOIN);
      encoding.writeVarString(encoder, frame.peer);
      encoding.writeVarUint(encoder, frame.ttl);
      break;
    case 'shuffle':
    case 'shuffle-reply':
      encoding.writeUint8(encoder, frame.type === 'shuffle' ? FrameType.SHUFFLE : FrameType.SHUFFLE_REPLY);
      writePeers(encoder, frame.peers);
      break;
    case 'ping':
      encoding.writeUint8(encoder, FrameType.PING);
      encoding.writeVarUint(encoder, frame.seq);
      encoding.writeUint8(encoder, (frame.suspected ? PING_SUSPECTED : 0) | (frame.digest.length > 0 ? PING_DIGEST : 0) | (frame.tree ? PING_TREE : 0));
      if (frame.digest.length > 0) writeHashes(encoder, frame.digest);
      if (frame.tree) writeAdvert(encoder, frame.tree);
      break;
    case 'ack':
      encoding.writeUint8(encoder, FrameType.ACK);
      encoding.writeVarUint(encoder, frame.seq);
      encoding.writeUint8(encoder, frame.tree ? PING_TREE : 0);
      if (frame.tree) writeAdvert(encoder, frame.tree);
      break;
    case 'ihave':
      encoding.writeUint8(encoder, FrameType.IHAVE);
      encoding.writeVarUint(encoder, frame.entries.length);
      for (const entry of frame.entries) {
        encoding.writeVarString(encoder, entry.origin);
        encoding.writeVarUint(encoder, entry.seq);
        encoding.writeVarUint(encoder, entry.round);
      }
      break;
    case 'graft':
    case 'got':
      encoding.writeUint8(encoder, frame.type === 'graft' ? FrameType.GRAFT : FrameType.GOT);
      encoding.writeVarUint(encoder, frame.entries.length);
      for (const entry of frame.entries) {
        encoding.writeVarString(encoder, entry.origin);
        encoding.writeVarUint(encoder, entry.seq);
      }
      break;
    case 'reserved':
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `frame number ${frame.number} is retired and never sent`);
    case 'tree':
      encoding.writeUint8(encoder, FrameType.TREE);
      writeAdvert(encoder, frame);
      writePeers(encoder, frame.neighbors);
      break;
    case 'digest':
      encoding.writeUint8(encoder, FrameType.DIGEST);
      writeHashes(encoder, frame.hashes);
      break;
    case 'records':
      encoding.writeUint8(encoder, FrameType.RECORDS);
      encoding.writeVarUint(encoder, frame.bucketCount);
      encoding.writeVarUint(encoder, frame.buckets.length);
      for (const bucket of frame.buckets) encoding.writeVarUint(encoder, bucket);
      encoding.writeUint8(encoder, frame.wantBack ? 1 : 0);
      encoding.writeVarUint(encoder, frame.records.length);
      for (const record of frame.records) writeRecord(encoder, record);
      break;
    case 'route':
      encoding.writeUint8(encoder, FrameType.ROUTE);
      encoding.writeVarString(encoder, frame.origin);
      encoding.writeVarString(encoder, frame.to);
      encoding.writeVarUint(encoder, frame.ttl);
      encoding.writeUint8(encoder, ROUTE_KIND[frame.content.kind]);
      if (frame.content.kind === 'app') encoding.writeVarUint8Array(encoder, frame.content.payload);
      else encoding.writeVarUint(encoder, frame.content.seq);
      break;
  }
}

/** Most buckets a digest may carry (a power of two). */
export const MAX_BUCKETS = 1024;
const PING_SUSPECTED = 1;
const PING_DIGEST = 2;
const PING_TREE = 4;

function writeAdvert(encoder: encoding.Encoder, advert: TreeAdvertFields): void {
  encoding.writeVarUint(encoder, advert.seq);
  encoding.writeVarString(encoder, advert.root);
  encoding.writeVarUint(encoder, advert.distance);
  encoding.writeVarString(encoder, advert.parent);
}

function readAdvert(reader: Reader, limits: WireLimits): TreeAdvertFields {
  const seq = reader.varUint();
  const root = reader.string(limits.maxPeerIdBytes, 'root');
  const distance = reader.boundedUint(255, 'distance');
  return { seq, root, distance, parent: reader.string(limits.maxPeerIdBytes, 'parent') };
}

function writeHashes(encoder: encoding.Encoder, hashes: readonly number[]): void {
  encoding.writeVarUint(encoder, hashes.length);
  for (const hash of hashes) encoding.writeUint32(encoder, hash);
}

function readHashes(reader: Reader): number[] {
  const n = reader.count(4, MAX_BUCKETS, 'buckets');
  if (n === 0 || (n & (n - 1)) !== 0) throw new WireError('invalid', `bucket count ${n} is not a power of two`);
  const hashes: number[] = [];
  for (let i = 0; i < n; i++) hashes.push(reader.u32());
  return hashes;
}

/** Decodes one frame; throws WireError (code MURMUR_BAD_WIRE) on any defect. */
export function decodeFrame(bytes: Uint8Array, limits: WireLimits): Frame {
  const reader = new Reader(bytes);
  const frame = readFrame(reader, limits);
  reader.end();
  return frame;
}

function readFrame(reader: Reader, limits: WireLimits): Frame {
  const type = reader.u8();
  if (RESERVED.has(type)) {
    reader.pos = reader.bytes.length; // whatever body an old peer gave it
    return { type: 'reserved', number: type };
  }
  switch (type) {
    case FrameType.HELLO: {
      const version = reader.varUint();
      const intent = INTENTS[reader.u8()];
      if (intent === undefined) throw new WireError('unknown-type', 'unknown hello intent');
      return { type: 'hello', version, intent, incarnation: reader.counter('incarnation') };
    }
    case FrameType.WELCOME:
      return { type: 'welcome', incarnation: reader.counter('incarnation') };
    case FrameType.REFUSE:
      return { type: 'refuse', peers: readPeers(reader, limits) };
    case FrameType.DISCONNECT:
      return { type: 'disconnect' };
    case FrameType.FORWARD_JOIN:
      return { type: 'forward-join', peer: reader.string(limits.maxPeerIdBytes, 'peer id'), ttl: reader.boundedUint(32, 'ttl') };
    case FrameType.SHUFFLE:
      return { type: 'shuffle', peers: readPeers(reader, limits) };
    case FrameType.SHUFFLE_REPLY:
      return { type: 'shuffle-reply', peers: readPeers(reader, limits) };
    case FrameType.PING: {
      const seq = reader.varUint();
      const flags = reader.u8();
      if (flags > 7) throw new WireError('unknown-type', `unknown ping flags ${flags}`);
      const digest = flags & PING_DIGEST ? readHashes(reader) : [];
      const ping: Frame = { type: 'ping', seq, suspected: (flags & PING_SUSPECTED) !== 0, digest };
      if (flags & PING_TREE) ping.tree = readAdvert(reader, limits);
      return ping;
    }
    case FrameType.ACK: {
      const seq = reader.varUint();
      const flags = reader.u8();
      if (flags !== 0 && flags !== PING_TREE) throw new WireError('unknown-type', `unknown ack flags ${flags}`);
      return flags ? { type: 'ack', seq, tree: readAdvert(reader, limits) } : { type: 'ack', seq };
    }
    case FrameType.GOSSIP: {
      const origin = reader.string(limits.maxPeerIdBytes, 'origin');
      const seq = reader.varUint();
      const round = reader.varUint();
      const start = reader.pos;
      const body = readGossipBody(reader, limits);
      return { type: 'gossip', origin, seq, round, body, bodyBytes: reader.bytes.subarray(start, reader.pos) };
    }
    case FrameType.IHAVE: {
      const n = reader.count(3, limits.maxListItems, 'ihave entries');
      const entries: Array<GossipId & { round: number }> = [];
      for (let i = 0; i < n; i++) {
        const origin = reader.string(limits.maxPeerIdBytes, 'origin');
        const seq = reader.varUint();
        entries.push({ origin, seq, round: reader.varUint() });
      }
      return { type: 'ihave', entries };
    }
    case FrameType.GRAFT:
    case FrameType.GOT: {
      const n = reader.count(2, limits.maxListItems, 'entries');
      const entries: GossipId[] = [];
      for (let i = 0; i < n; i++) {
        const origin = reader.string(limits.maxPeerIdBytes, 'origin');
        entries.push({ origin, seq: reader.varUint() });
      }
      return type === FrameType.GRAFT ? { type: 'graft', entries } : { type: 'got', entries };
    }
    case FrameType.TREE: {
      const advert = readAdvert(reader, limits);
      return { type: 'tree', ...advert, neighbors: readPeers(reader, limits) };
    }
    case FrameType.DIGEST:
      return { type: 'digest', hashes: readHashes(reader) };
    case FrameType.RECORDS: {
      const bucketCount = reader.boundedUint(MAX_BUCKETS, 'bucket count');
      if (bucketCount === 0 || (bucketCount & (bucketCount - 1)) !== 0) throw new WireError('invalid', `bucket count ${bucketCount} is not a power of two`);
      const nb = reader.count(1, bucketCount, 'buckets');
      const buckets: number[] = [];
      for (let i = 0; i < nb; i++) buckets.push(reader.boundedUint(bucketCount - 1, 'bucket'));
      const wantBack = reader.u8() === 1;
      const nr = reader.count(5, limits.maxListItems, 'records');
      const records: MemberRecord[] = [];
      for (let i = 0; i < nr; i++) records.push(readRecord(reader, limits));
      return { type: 'records', bucketCount, buckets, wantBack, records };
    }
    case FrameType.ROUTE: {
      const origin = reader.string(limits.maxPeerIdBytes, 'origin');
      const to = reader.string(limits.maxPeerIdBytes, 'peer id');
      const ttl = reader.boundedUint(255, 'ttl');
      const kind = reader.u8();
      let content: RouteContent;
      if (kind === ROUTE_KIND.app) content = { kind: 'app', payload: reader.bytesOf(limits.maxPayloadBytes, 'payload') };
      else if (kind === ROUTE_KIND.ping) content = { kind: 'ping', seq: reader.varUint() };
      else if (kind === ROUTE_KIND.ack) content = { kind: 'ack', seq: reader.varUint() };
      else throw new WireError('unknown-type', `unknown route kind ${kind}`);
      return { type: 'route', origin, to, ttl, content };
    }
    default:
      throw new WireError('unknown-type', `unknown frame type ${type}`);
  }
}
