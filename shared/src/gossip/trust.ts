/**
 * Signatures inside the engine (issue 13). What a tab originates is signed
 * with its Ed25519 key, and every receiver checks the signature and that the
 * key certifies the origin's peer id before it delivers, relays or even marks
 * the message seen (so a forged copy that arrives first cannot shadow the
 * genuine one). The engine stays pure: the driver hands it the functions.
 * The client passes its identity and @noble/curves (`ed25519Trust`), with
 * ids derived from keys (`idCertifiedBy`); the simulator makes a key per node
 * name and memoises verdicts across nodes (sim/sim-trust.ts).
 *
 * Signed so far: app broadcasts (DATA), presence and goodbyes (LEFT), each
 * in its broadcast and in every member record that carries it. PROTOCOL.md › Signed messages.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import * as encoding from 'lib0/encoding';
import type { PeerId } from '../engine/types.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, idCertifiedBy } from '../signaling.js';
import { encodeWith } from './wire/scratch-encoder.js';

export interface EngineTrust {
  /** This tab's raw Ed25519 public key (32 bytes): the one its peer id certifies. */
  readonly publicKey: Uint8Array;
  /** Signs with this tab's secret key: a 64-byte Ed25519 signature. */
  sign(message: Uint8Array): Uint8Array;
  /** Ed25519 verification; false (never a throw) for anything malformed. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Whether `publicKey` is the key of `peer` (the client: the id derives from it). */
  certifies(peer: PeerId, publicKey: Uint8Array): boolean;
}

/**
 * What an owner signs: a context string (domain separation: a signature of
 * one kind never passes for another, nor for a join proof, a link-auth or a
 * mesh signal), the owner's id, then the fields of that kind.
 */
function signedBytes(context: string, owner: PeerId, fields: (encoder: encoding.Encoder) => void): Uint8Array {
  return encodeWith((encoder) => {
    encoding.writeVarString(encoder, context);
    encoding.writeVarString(encoder, owner);
    fields(encoder);
  });
}

/** The check of any signed record: the key certifies the owner's id and signed exactly `message`. */
export function signedBy(trust: EngineTrust, owner: PeerId, message: Uint8Array, key: Uint8Array, signature: Uint8Array): boolean {
  return trust.certifies(owner, key) && trust.verify(signature, message, key);
}

/**
 * The bytes a DATA broadcast's origin signs: ("murmur-data/1", origin, seq,
 * payload). The id is covered, so a relay cannot re-sequence a genuine
 * payload into a new message; the hop count (round) is not, as relays change it.
 */
export function dataSigned(origin: PeerId, seq: number, payload: Uint8Array): Uint8Array {
  return signedBytes('murmur-data/1', origin, (encoder) => {
    encoding.writeVarUint(encoder, seq);
    encoding.writeVarUint8Array(encoder, payload);
  });
}

/**
 * The bytes a presence's owner signs: ("murmur-presence/1", owner, version,
 * json). Not the message id: the same signed presence travels in its
 * broadcast and, copied by anyone, in member records (RECORDS), so it must stand alone.
 */
export function presenceSigned(owner: PeerId, version: number, json: string): Uint8Array {
  return signedBytes('murmur-presence/1', owner, (encoder) => {
    encoding.writeVarUint(encoder, version);
    encoding.writeVarString(encoder, json);
  });
}

/** The bytes a leaver signs: ("murmur-left/1", owner, incarnation), carried in its LEFT and in records. */
export function leftSigned(owner: PeerId, incarnation: number): Uint8Array {
  return signedBytes('murmur-left/1', owner, (encoder) => encoding.writeVarUint(encoder, incarnation));
}

/** Checks the shape of a trust handed in by a driver; returns what is wrong, or undefined. */
export function trustProblem(trust: unknown): string | undefined {
  const t = trust as Partial<EngineTrust> | null | undefined;
  if (t === null || typeof t !== 'object') return 'must be an EngineTrust (publicKey, sign, verify, certifies): see ed25519Trust()';
  if (!(t.publicKey instanceof Uint8Array) || t.publicKey.length !== PUBLIC_KEY_BYTES) return `publicKey must be ${PUBLIC_KEY_BYTES} bytes`;
  for (const fn of ['sign', 'verify', 'certifies'] as const) if (typeof t[fn] !== 'function') return `${fn} must be a function`;
  return undefined;
}

/**
 * The trust of a tab whose peer id derives from its key (the client's):
 * signs with `sign` (an Identity's), verifies with @noble/curves, and takes
 * a key as `peer`'s only if `peer` is its derived id (or a label before it:
 * idCertifiedBy).
 */
export function ed25519Trust(publicKey: Uint8Array, sign: (message: Uint8Array) => Uint8Array): EngineTrust {
  return { publicKey, sign, verify: verifyEd25519, certifies: idCertifiedBy };
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false; // a key that is no curve point
  }
}
