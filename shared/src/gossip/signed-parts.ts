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
import { decodeFrame, FrameType } from './wire/frames.js';
import type { WireLimits } from './wire/limits.js';

/** One signature to check: Ed25519 `signature` by `key` over `message`. */
export interface SignedPart {
  signature: Uint8Array;
  message: Uint8Array;
  key: Uint8Array;
}

/** Which signatures the engine will ask about (the rest it skips unverified: duplicates, stale presences). */
export interface SignedPartFilter {
  /** The message `origin`#`seq` was accepted already. */
  hasMessage(origin: PeerId, seq: number): boolean;
  /** A presence of `owner` at `version` would be news (Liveness.presenceIsNews). */
  presenceIsNews(owner: PeerId, version: number, json: string): boolean;
  /** A goodbye of `peer` at `incarnation` in a record would be news (Liveness.leftIsNews). */
  leftIsNews(peer: PeerId, incarnation: number): boolean;
}

/**
 * The signed parts of a received frame the engine will verify: a GOSSIP DATA
 * or PRESENCE body, the presences in RECORDS, as far as `filter` says they
 * are news. Empty for every other frame (peeked at its type byte, not
 * decoded) and for bytes that do not decode (the engine reports those).
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
    const { body } = frame;
    if (filter.hasMessage(frame.origin, frame.seq)) return [];
    if (body.kind === 'data') return [{ signature: body.signature, message: dataSigned(frame.origin, frame.seq, body.payload), key: body.key }];
    if (body.kind === 'presence') return [presencePart(frame.origin, body.version, body.json, body.key, body.signature)];
    if (body.kind === 'left') return [{ signature: body.signature, message: leftSigned(frame.origin, body.incarnation), key: body.key }];
    return [];
  }
  if (frame.type !== 'records') return [];
  const parts: SignedPart[] = [];
  for (const r of frame.records) {
    if (r.presenceVersion > 0 && filter.presenceIsNews(r.peer, r.presenceVersion, r.presenceJson)) parts.push(presencePart(r.peer, r.presenceVersion, r.presenceJson, r.presenceKey, r.presenceSignature));
    if (r.status === 'left' && filter.leftIsNews(r.peer, r.incarnation)) parts.push({ signature: r.leftSignature, message: leftSigned(r.peer, r.incarnation), key: r.leftKey });
  }
  return parts;
}

function presencePart(owner: PeerId, version: number, json: string, key: Uint8Array, signature: Uint8Array): SignedPart {
  return { signature, message: presenceSigned(owner, version, json), key };
}
