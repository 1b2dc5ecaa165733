/**
 * Crafted frames for hostile peers in the simulator, built with the real
 * wire encoders (frames.ts, gossip-body.ts): what an attacker writes is
 * byte for byte what a modified tab could put on a data channel. Nothing
 * here is valid protocol use; each builder names the field it lies about.
 */
import type { PeerId, Presence } from '../engine/types.js';
import { encodeGossipBody, type GossipBody } from '../gossip/wire/gossip-body.js';
import { encodeFrame, encodeGossipFrame, type MemberRecord, type MemberStatus, type RouteContent } from '../gossip/wire/frames.js';
import { parsePresence } from '../gossip/wire/presence-json.js';
import { memberRecord, signedData, signedPresence } from './sim-trust.js';

/** The largest integer a lib0 varuint may carry (2^53 − 1); the engine takes incarnations and versions only up to MAX_COUNTER. */
export const MAX_WIRE_UINT = Number.MAX_SAFE_INTEGER;
export { MAX_COUNTER } from '../gossip/wire/counter.js';

/** A GOSSIP frame claiming to come from `origin` (no field ties it to whoever sent it). */
export function forgedGossip(origin: PeerId, seq: number, body: GossipBody, round = 1): Uint8Array {
  return encodeGossipFrame(origin, seq, round, encodeGossipBody(body));
}

/**
 * An app broadcast in `origin`'s name, signed by `signer` with its own key over the id and payload
 * (all a real member can sign): the signature is genuine, the key is not `origin`'s.
 */
export function forgedData(origin: PeerId, seq: number, payload: Uint8Array, signer: PeerId): Uint8Array {
  return encodeGossipFrame(origin, seq, 1, signedData(origin, seq, payload, signer));
}

/**
 * A member record stating anything about anyone; a presence in it (version > 0) is signed by `signer`
 * with its own key (all a real member can sign), so it is not `peer`'s unless `signer` is `peer`.
 */
export function forgedRecord(peer: PeerId, incarnation: number, status: MemberStatus, presenceVersion = 0, presenceJson = '{}', signer: PeerId = ADVERSARY_SIGNER): MemberRecord {
  return memberRecord(peer, incarnation, status, presenceVersion, parsePresence(presenceJson), signer);
}

/** Who signs what a forged builder cannot sign in its victim's name: the hostile member's own key. */
export const ADVERSARY_SIGNER = 'x-mallory';

/**
 * A PRESENCE body in `owner`'s name, signed by `signer` with its own key (not `owner`'s): what a member
 * that forges another's presence can put on the wire.
 */
export function forgedPresence(owner: PeerId, version: number, presence: Presence, signer: PeerId = ADVERSARY_SIGNER): GossipBody {
  return { kind: 'presence', ...signedPresence(owner, version, presence, signer) };
}

/** An unsolicited RECORDS frame (one bucket of one, no answer wanted): merged as anti-entropy news. */
export function recordsFrame(records: readonly MemberRecord[]): Uint8Array {
  return encodeFrame({ type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records: [...records] });
}

/** A GRAFT naming the same message `times` times: each entry asks for one more copy. */
export function repeatedGraft(origin: PeerId, seq: number, times: number): Uint8Array {
  return encodeFrame({ type: 'graft', entries: Array.from({ length: times }, () => ({ origin, seq })) });
}

/** A ROUTE frame whose `origin` is whoever the attacker likes: the receiver learns the sender as the way back to it. */
export function forgedRoute(origin: PeerId, to: PeerId, ttl: number, content: RouteContent): Uint8Array {
  return encodeFrame({ type: 'route', origin, to, ttl, content });
}

/** A broadcast-tree advert. */
export function treeAdvert(seq: number, root: PeerId, distance: number, parent: PeerId): Uint8Array {
  return encodeFrame({ type: 'tree', seq, root, distance, parent, neighbors: [] });
}

/** A FORWARD_JOIN asking the receiver to link to `peer` (ttl 0: dial at once). */
export function forwardJoin(peer: PeerId, ttl = 0): Uint8Array {
  return encodeFrame({ type: 'forward-join', peer, ttl });
}

/** Ids no tab holds. */
export function madeUpIds(n: number, prefix = 'ghost-'): PeerId[] {
  const width = String(n - 1).length;
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(width, '0')}`);
}
