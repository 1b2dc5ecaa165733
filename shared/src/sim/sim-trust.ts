/**
 * Keys for simulated tabs (issue 13). Simulated ids are names ('p025',
 * 'x-mallory'), not hashes of keys, so here a name certifies the key made
 * from it: each node's secret key is SHA-256 of its name, and `certifies`
 * compares a claimed key with the one made for the claimed name. Signing and
 * verification are real Ed25519 (@noble/curves). An adversary is an engine
 * like any other and signs with its own key only; nothing in the simulator
 * hands one node's secret to another.
 *
 * Verification is a pure function of (signature, message, key), so its
 * verdicts are memoised across all nodes: a broadcast is verified once per
 * run, not once per receiver, which a 1,000-node run could not afford
 * (~1 ms per verification in Node). The memo changes no outcome.
 */
import { hex, sameBytes } from '../bytes.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { PeerId, Presence } from '../engine/types.js';
import type { SignedPresence } from '../gossip/membership.js';
import { dataSigned, leftSigned, presenceSigned, verifyEd25519, type EngineTrust } from '../gossip/trust.js';
import { UNSIGNED, type MemberRecord, type MemberStatus } from '../gossip/wire/frames.js';
import { encodeGossipBody } from '../gossip/wire/gossip-body.js';

const keys = new Map<PeerId, { secret: Uint8Array; publicKey: Uint8Array }>();
/** Verdicts by signature; the message and key are compared in full before a memoised verdict is used. */
const verdicts = new Map<string, { message: Uint8Array; key: Uint8Array; ok: boolean }>();
/** Verdicts (and keys) kept at most; past it a memo starts over (a bound, not a cache policy: runs stay well below). */
const MAX_VERDICTS = 200_000;

function keysOf(peer: PeerId): { secret: Uint8Array; publicKey: Uint8Array } {
  let pair = keys.get(peer);
  if (pair === undefined) {
    const secret = sha256(new TextEncoder().encode(`murmur-sim-key/${peer}`));
    pair = { secret, publicKey: ed25519.getPublicKey(secret) };
    if (keys.size >= MAX_VERDICTS) keys.clear();
    keys.set(peer, pair);
  }
  return pair;
}

function certifies(peer: PeerId, publicKey: Uint8Array): boolean {
  return sameBytes(keysOf(peer).publicKey, publicKey);
}

function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const memoKey = hex(signature);
  const known = verdicts.get(memoKey);
  if (known !== undefined && sameBytes(known.message, message) && sameBytes(known.key, publicKey)) return known.ok;
  const ok = verifyEd25519(signature, message, publicKey);
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(memoKey, { message: message.slice(), key: publicKey.slice(), ok });
  return ok;
}

/** The trust of simulated node `id`: its own key, real signatures, names as certificates. */
export function simTrust(id: PeerId): EngineTrust {
  const { secret, publicKey } = keysOf(id);
  return { publicKey, sign: (message) => ed25519.sign(message, secret), verify, certifies };
}

/**
 * A DATA body for message `seq` of `origin`, signed by `signer` with its own key: by default the origin
 * (as it would publish it), else another node lying about the origin (all a real member can sign).
 */
export function signedData(origin: PeerId, seq: number, payload: Uint8Array, signer: PeerId = origin): Uint8Array {
  const trust = simTrust(signer);
  return encodeGossipBody({ kind: 'data', payload, key: trust.publicKey, signature: trust.sign(dataSigned(origin, seq, payload)) });
}

/** `owner`'s presence at `version`, signed by `signer` with its own key: by default the owner; else a forgery. */
export function signedPresence(owner: PeerId, version: number, presence: Presence, signer: PeerId = owner): SignedPresence {
  const trust = simTrust(signer);
  const json = JSON.stringify(presence);
  return { version, presence, json, key: trust.publicKey, signature: trust.sign(presenceSigned(owner, version, json)) };
}

/** `owner`'s goodbye at `incarnation`, signed by `signer` with its own key: by default the owner; else a forgery. */
export function signedLeft(owner: PeerId, incarnation: number, signer: PeerId = owner): { kind: 'left'; incarnation: number; key: Uint8Array; signature: Uint8Array } {
  const trust = simTrust(signer);
  return { kind: 'left', incarnation, key: trust.publicKey, signature: trust.sign(leftSigned(owner, incarnation)) };
}

/**
 * A member record with its presence (nothing to sign at version 0) and, at status `left`, its goodbye
 * signed by `signer`: the owner by default, else a forgery.
 */
export function memberRecord(peer: PeerId, incarnation: number, status: MemberStatus, presenceVersion = 0, presence: Presence = {}, signer: PeerId = peer): MemberRecord {
  const left = status === 'left' ? signedLeft(peer, incarnation, signer) : { key: UNSIGNED, signature: UNSIGNED };
  const base = { peer, incarnation, status, presenceVersion, presence, leftKey: left.key, leftSignature: left.signature };
  if (presenceVersion === 0) return { ...base, presenceJson: JSON.stringify(presence), presenceKey: UNSIGNED, presenceSignature: UNSIGNED };
  const signed = signedPresence(peer, presenceVersion, presence, signer);
  return { ...base, presenceJson: signed.json, presenceKey: signed.key, presenceSignature: signed.signature };
}
