/**
 * Yjs clientIDs bound to peer ids (issue 13): every clientID a tab writes
 * with is `owner × 2^24 + session`, where `owner` is 29 bits of
 * SHA-256 of the peer id's key part and `session` is 24 random bits the
 * driver draws for each session. Any receiver checks, from a clientID and
 * the broadcast's (signed) origin alone, that the sender owns it: so a room
 * member cannot broadcast structs under another member's clientID.
 *
 * Bits: Yjs writes clientIDs as lib0 varuints, which encode and decode every
 * safe integer (checked with V1 and V2 updates, merges, state vectors and
 * awareness at 2^53 − 1): 53 bits in all, 29 + 24.
 *
 * What a forger pays: a key whose id's owner bits equal the victim's, about
 * 2^29 ≈ 5.4 × 10^8 Ed25519 keys tried (the label before a dot in an id is
 * free, so only the key part counts: `keeper.X` and `X` are one owner, as
 * one key certifies both). That is hours of pure JS, minutes of native code:
 * a bar, not a proof; 53 bits allow no more.
 *
 * Collision odds between sessions of one peer id (the harm needs no
 * attacker: a new session writing under an old session's clientID before it
 * holds that session's structs corrupts the doc silently): n sessions of one
 * id share a session value with probability ≈ n² / 2^25, so 0.03% at 100
 * sessions and 3% at 1,000. Two things make it smaller: a value whose
 * clientID the doc already holds (loaded from IndexedDB, or synced) is never
 * drawn, and once an old session's structs arrive Yjs notices its clientID
 * is taken and ClientIdBinding re-derives. Yjs's own 32-bit random ids
 * collide at n² / 2^33 among all clients of a doc.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import * as Y from 'yjs';
import type { PeerId } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';

/** Low bits of a clientID: the session, drawn by the driver. */
export const CLIENT_ID_SESSION_BITS = 24;
/** High bits of a clientID: the owner, from the peer id's hash (53 − 24). */
export const CLIENT_ID_OWNER_BITS = 53 - CLIENT_ID_SESSION_BITS;
const SESSIONS = 2 ** CLIENT_ID_SESSION_BITS;
/** Domain separation: these hash bits mean nothing else. */
const OWNER_CONTEXT = 'murmur-yjs-client-id/v1\n';
/** Draws of a session value that the doc already holds before giving up (each fails with odds ≤ held sessions / 2^24). */
const DRAW_TRIES = 32;

const encoder = new TextEncoder();
/** Owner bits per key part: receivers check every broadcast update, and a peer's hash never changes. */
const owners = new Map<string, number>();
const MAX_CACHED_OWNERS = 4096;

/** The part of a peer id a key certifies: after the last dot (see idCertifiedBy in signaling.ts). */
export function clientIdKeyPart(peer: PeerId): string {
  return peer.slice(peer.lastIndexOf('.') + 1);
}

/** The owner bits (top 29 of a clientID) of a peer id. */
export function clientIdOwner(peer: PeerId): number {
  const key = clientIdKeyPart(peer);
  let owner = owners.get(key);
  if (owner === undefined) {
    const h = sha256(encoder.encode(OWNER_CONTEXT + key));
    // 32 bits of the hash, then the top 29 of them.
    owner = (((h[0] as number) << 24) | ((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number)) >>> (32 - CLIENT_ID_OWNER_BITS);
    if (owners.size >= MAX_CACHED_OWNERS) owners.clear();
    owners.set(key, owner);
  }
  return owner;
}

/** The clientID of `peer` for session value `session` (an integer in [0, 2^24)). */
export function deriveClientId(peer: PeerId, session: number): number {
  if (!Number.isInteger(session) || session < 0 || session >= SESSIONS) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, `a clientID session must be an integer in [0, 2^${CLIENT_ID_SESSION_BITS}), got ${session}`);
  }
  return clientIdOwner(peer) * SESSIONS + session;
}

/** Whether `peer` owns `clientId`: whether any of its sessions derives it. */
export function ownsClientId(peer: PeerId, clientId: number): boolean {
  return Number.isSafeInteger(clientId) && clientId >= 0 && Math.floor(clientId / SESSIONS) === clientIdOwner(peer);
}

/** A fresh clientID of `peer` that `doc` does not hold yet, drawn with `random` (uniform [0, 1)). */
export function freshClientId(doc: Y.Doc, peer: PeerId, random: () => number): number {
  let clientId = deriveClientId(peer, Math.floor(random() * SESSIONS) % SESSIONS);
  for (let tries = 1; tries < DRAW_TRIES && doc.store.clients.has(clientId); tries += 1) {
    clientId = deriveClientId(peer, Math.floor(random() * SESSIONS) % SESSIONS);
  }
  return clientId;
}

/** The clientIDs of the structs a (V1) update inserts that `peer` does not own; its delete set is not looked at. Throws on bytes that are no update. */
export function foreignClientIds(update: Uint8Array, peer: PeerId): number[] {
  return [...Y.parseUpdateMeta(update).from.keys()].filter((clientId) => !ownsClientId(peer, clientId));
}

/** Throws MURMUR_FOREIGN_CLIENT_ID if a broadcast update from `peer` inserts structs under a clientID it does not own. */
export function checkOwnUpdate(update: Uint8Array, peer: PeerId): void {
  const foreign = foreignClientIds(update, peer);
  if (foreign.length > 0) {
    const more = foreign.length > 1 ? ` (and ${foreign.length - 1} more)` : '';
    throw new MurmurError(ErrorCode.FOREIGN_CLIENT_ID, `a doc update broadcast by ${peer} writes as clientID ${foreign[0]}${more}, which is not its own: refused`);
  }
}

export interface ClientIdBindingOptions {
  doc: Y.Doc;
  /** The peer id this tab writes as. */
  selfId: PeerId;
  /** Uniform [0, 1), from the driver (random in a tab: each session gets a new clientID). */
  random: () => number;
}

/**
 * Keeps `doc.clientID` one that `selfId` owns: sets a fresh one at once and
 * again whenever something else changed it. Yjs does, when a remote update
 * carries structs under the local clientID ("Changed the client-id because
 * another client seems to be using it": a random uint32 nobody would accept);
 * it does so inside a transaction's cleanup, before 'afterTransactionCleanup'
 * is emitted, so the next local write already uses the re-derived id.
 */
export class ClientIdBinding {
  private readonly options: ClientIdBindingOptions;
  private current: number;
  private rebinds = 0;
  private readonly onCleanup = (): void => {
    if (this.options.doc.clientID !== this.current) this.rebind();
  };

  constructor(options: ClientIdBindingOptions) {
    this.options = options;
    this.current = freshClientId(options.doc, options.selfId, options.random);
    options.doc.clientID = this.current;
    options.doc.on('afterTransactionCleanup', this.onCleanup);
  }

  get clientId(): number {
    return this.current;
  }

  /** How often the clientID was re-derived after Yjs (or the app) changed it. */
  get rebound(): number {
    return this.rebinds;
  }

  destroy(): void {
    this.options.doc.off('afterTransactionCleanup', this.onCleanup);
  }

  private rebind(): void {
    this.rebinds += 1;
    this.current = freshClientId(this.options.doc, this.options.selfId, this.options.random);
    this.options.doc.clientID = this.current;
  }
}
