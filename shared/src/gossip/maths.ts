/**
 * Protocol maths as named pure functions (memberlist's util.go style), each
 * with a table test in maths.test.ts.
 */

/** Lifeguard/memberlist minimum suspicion: mult × max(floorScale, log10(n)) × probe period. */
export function suspicionMinMs(mult: number, n: number, probeIntervalMs: number, floorScale = 1): number {
  const nodeScale = Math.max(floorScale, Math.log10(Math.max(1, n)));
  return Math.round(mult * nodeScale * probeIntervalMs);
}

/**
 * Lifeguard's confirmation-shortened suspicion: starts at `maxMs`, falls
 * logarithmically with each independent accuser until `expected` of them
 * pin it at `minMs`. Returns the total timeout from the suspicion's start.
 */
export function suspicionTimeoutMs(confirmations: number, expected: number, minMs: number, maxMs: number): number {
  if (expected <= 0) return minMs;
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1);
  const raw = maxMs - fraction * (maxMs - minMs);
  return Math.max(minMs, Math.floor(raw));
}

/** Expected independent accusers: K, unless the room is too small to have that many. */
export function expectedConfirmations(k: number, liveMembers: number): number {
  return Math.max(0, Math.min(k, liveMembers - 2));
}

/**
 * Direct probe tries needed so that all of them miss by chance with odds
 * below `odds`, when a try misses with probability `missRate`; within
 * [minTries, maxTries].
 */
export function directTriesFor(missRate: number, odds: number, minTries: number, maxTries: number): number {
  if (missRate <= 0) return minTries;
  if (missRate >= 1) return maxTries;
  const tries = Math.ceil(Math.log(odds) / Math.log(missRate));
  return Math.min(maxTries, Math.max(minTries, tries));
}

/** Lifeguard's local health multiplier applied to a period or timeout. */
export function scaleByHealth(ms: number, health: number): number {
  return ms * (1 + health);
}

/** Digest buckets for a membership of `members`: ~16 members a bucket, a power of two in [1, 1024]. */
export function bucketCountFor(members: number): number {
  let count = 1;
  while (count < 1024 && count * 16 < members) count *= 2;
  return count;
}

/** Exponential back-off after `failures` consecutive refused/failed link attempts. */
export function connectBackoffMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}

/** memberlist's retransmit limit: mult × ceil(log10(n + 1)). Used by the push baseline. */
export function retransmitLimit(mult: number, n: number): number {
  return mult * Math.ceil(Math.log10(n + 1));
}

/** 32-bit FNV-1a of a string (UTF-16 code units; both ends hash the same way). The one FNV-1a in murmur. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** fnv1a over `codes[start..end)` (bytes or char codes): equals fnv1a of the string with those char codes. */
export function fnv1aCodes(codes: ArrayLike<number>, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (codes[i] as number), 0x01000193);
  return hash >>> 0;
}

/** Mixes numbers into a 32-bit hash (murmur3 finaliser per step). */
export function mixHash(seed: number, ...values: number[]): number {
  let h = seed >>> 0;
  for (const value of values) {
    h ^= value >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    // High bits of numbers above 2^32 (incarnations from epoch seconds stay below, versions may not).
    h ^= Math.floor(value / 4294967296) >>> 0;
  }
  return h >>> 0;
}
