/**
 * One suspicion's clock (Lifeguard's confirmation-shortened suspicion), as
 * pure state and rules: when it ends given its accusers, how a patient
 * suspicion (hearsay: not independent accusers) holds its length, and how
 * our own failed probes override that patience. The failure detector owns
 * the table and the timer; this module owns the arithmetic.
 */
import type { PeerId } from '../engine/types.js';
import { suspicionTimeoutMs } from './maths.js';

export interface Suspicion {
  incarnation: number;
  start: number;
  accusers: Set<PeerId>;
  minMs: number;
  maxMs: number;
  expected: number;
  deadline: number;
  /** No confirmation brings the deadline below this (see `patient` in accuse). */
  floor: number;
  /** We accused it ourselves (our probes failed): hearsay does not make us patient. */
  evidence: boolean;
  /** A non-accuser's grace period was already added. */
  graced: boolean;
  /** Since when hearing from the suspect vouches for it (its start, then each time a vouch held the verdict off). */
  checkedAt: number;
}

/** A new suspicion by `accuser` at `now`, lasting as its (lone) accuser allows. */
export function openSuspicion(incarnation: number, accuser: PeerId, now: number, minMs: number, maxMs: number, expected: number, own: boolean): Suspicion {
  return { incarnation, start: now, accusers: new Set([accuser]), minMs, maxMs, expected, deadline: now + suspicionTimeoutMs(0, expected, minMs, maxMs), floor: 0, evidence: own, graced: false, checkedAt: now };
}

/**
 * Notes one more accusation of a suspicion at its incarnation; returns false
 * when it changes nothing. `own`: our probes failed (evidence of our own,
 * which no hearsay makes wait longer than the confirmations say: with merged
 * suspicion records spread as hearsay, every accuser of a crashed tab became
 * patient, and detection at N=200 went from 4.75 to 11.65 s). `patient`: the
 * suspicion runs its full maximum whatever the confirmations (hearsay),
 * unless we have evidence. `notBefore` defers its end.
 */
export function accuse(suspicion: Suspicion, accuser: PeerId, own: boolean, patient: boolean, notBefore: number): boolean {
  const byAccusers = (): number => suspicion.start + suspicionTimeoutMs(suspicion.accusers.size - 1, suspicion.expected, suspicion.minMs, suspicion.maxMs);
  if (own && !suspicion.evidence) {
    suspicion.evidence = true;
    suspicion.floor = 0;
    suspicion.accusers.add(accuser);
    suspicion.deadline = byAccusers();
  } else if (!suspicion.accusers.has(accuser)) {
    suspicion.accusers.add(accuser);
    // A confirmation shortens the suspicion, but not a non-accuser's grace once it runs: late
    // confirmations pulled its deadline back to the past, so every tab that had only heard of the
    // suspicion judged at once and each flooded its own DEAD (52 DEADs for one crash at N=300). A patient
    // suspicion is left as it was: its floor holds it already, and holding it longer slowed a heal's merge
    // (partition-heal seed 403 agreed 3 s after the heal before, 10.25 s with every suspicion held).
    suspicion.deadline = Math.max(suspicion.floor, byAccusers(), suspicion.graced && suspicion.floor === 0 ? suspicion.deadline : 0);
  } else if (notBefore <= suspicion.deadline && (!patient || suspicion.floor > 0 || suspicion.evidence)) {
    return false;
  }
  holdPatience(suspicion, patient, notBefore);
  return true;
}

/** Applies `patient` (unless we have evidence) and `notBefore` to the deadline. */
export function holdPatience(suspicion: Suspicion, patient: boolean, notBefore: number): void {
  if (patient && !suspicion.evidence) suspicion.floor = Math.max(suspicion.floor, suspicion.start + suspicion.maxMs);
  suspicion.deadline = Math.max(suspicion.deadline, notBefore, suspicion.floor);
}
