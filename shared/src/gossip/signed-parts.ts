/**
 * What a frame asks its receiver to verify, listed without applying it: the
 * driver can then check the signatures ahead of `handle()` (the client: in
 * parallel with native WebCrypto, which is asynchronous and several times
 * faster than @noble/curves) and answer the engine's synchronous
 * `EngineTrust.verify` from those verdicts. Pure: no parsing in the driver,
 * and nothing here changes what the engine decides (a part left out is
 * simply verified by the engine itself).
 */
import type { PeerId } from '../engine/types.js';
import { dataSigned, leftSigned, presenceSigned } from './trust.js';
import { decodeFrame, FrameType, type MemberRecord } from './wire/frames.js';
import type { GossipBody } from './wire/gossip-body.js';
import type { WireLimits } from './wire/limits.js';

/** One signature to check: Ed25519 `signature` by `key` over `message`; `what` names it in a refusal. */
export interface SignedPart {
  signature: Uint8Array;
  message: Uint8Array;
  key: Uint8Array;
  what: string;
}

/** Which record signatures the engine asks about: only where the record is news (Liveness). */
export interface RecordNews {
  /** A presence of `owner` at `version` would be news (Liveness.presenceIsNews). */
  presenceIsNews(owner: PeerId, version: number, json: string): boolean;
  /** A goodbye of `peer` at `incarnation` in a record would be news (Liveness.leftIsNews). */
  leftIsNews(peer: PeerId, incarnation: number): boolean;
}

/** Which signatures the engine will ask about (the rest it skips unverified: duplicates, stale records). */
export interface SignedPartFilter extends RecordNews {
  /** The message `origin`#`seq` was accepted already. */
  hasMessage(origin: PeerId, seq: number): boolean;
}

/** The signature a GOSSIP body carries (DATA, PRESENCE, LEFT), with the bytes its origin signed; undefined for unsigned kinds. */
export function gossipPart(origin: PeerId, seq: number, body: GossipBody): SignedPart | undefined {
  const { kind } = body;
  if (kind === 'data') return { signature: body.signature, message: dataSigned(origin, seq, body.payload), key: body.key, what: `DATA ${origin}#${seq}` };
  if (kind === 'presence') return { signature: body.signature, message: presenceSigned(origin, body.version, body.json), key: body.key, what: `PRESENCE ${origin}#${seq}` };
  if (kind === 'left') return { signature: body.signature, message: leftSigned(origin, body.incarnation), key: body.key, what: `LEFT ${origin}#${seq}` };
  return undefined;
}

/** The owner's signatures a member record carries where `news` says they matter: its presence, then its goodbye. */
export function recordParts(r: MemberRecord, news: RecordNews): SignedPart[] {
  const parts: SignedPart[] = [];
  if (r.presenceVersion > 0 && news.presenceIsNews(r.peer, r.presenceVersion, r.presenceJson)) {
    parts.push({ signature: r.presenceSignature, message: presenceSigned(r.peer, r.presenceVersion, r.presenceJson), key: r.presenceKey, what: `presence version ${r.presenceVersion}` });
  }
  if (r.status === 'left' && news.leftIsNews(r.peer, r.incarnation)) {
    parts.push({ signature: r.leftSignature, message: leftSigned(r.peer, r.incarnation), key: r.leftKey, what: `left at ${r.incarnation}` });
  }
  return parts;
}

/**
 * The signed parts of a received frame the engine will verify: a GOSSIP
 * DATA, PRESENCE or LEFT body with an unseen id, the presences and goodbyes
 * in RECORDS that are news. Empty for every other frame (peeked at its type
 * byte, not decoded) and for bytes that do not decode (the engine reports those).
 */
export function signedParts(bytes: Uint8Array, limits: WireLimits, filter: SignedPartFilter): SignedPart[] {
  const type = bytes[0];
  if (type !== FrameType.GOSSIP && type !== FrameType.RECORDS) return [];
  let frame: ReturnType<typeof decodeFrame>;
  try {
    frame = decodeFrame(bytes, limits);
  } catch {
    return [];
  }
  if (frame.type === 'gossip') {
    const part = filter.hasMessage(frame.origin, frame.seq) ? undefined : gossipPart(frame.origin, frame.seq, frame.body);
    return part ? [part] : [];
  }
  return frame.type === 'records' ? frame.records.flatMap((record) => recordParts(record, filter)) : [];
}
