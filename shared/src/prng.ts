/**
 * The one source of randomness for protocol code. shared/ never calls
 * Math.random: drivers seed a Prng (from crypto in browsers, from a fixed
 * seed in tests and the simulator) so any run can be replayed from its seed.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded
 * through splitmix32 so that nearby seeds give unrelated streams.
 */
export interface Prng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** One element chosen uniformly; undefined for an empty array. */
  pick<T>(items: readonly T[]): T | undefined;
  /** A new array with the items in uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** Up to `k` distinct items chosen uniformly. */
  sample<T>(items: readonly T[], k: number): T[];
  /** A lowercase hex string of `bytes` random bytes. */
  hex(bytes: number): string;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();

  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes poorly in its first few rounds.
  for (let i = 0; i < 12; i++) nextU32();

  const next = (): number => nextU32() / 4294967296;
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);

  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  };

  return {
    next,
    int,
    pick: (items) => (items.length === 0 ? undefined : items[int(items.length)]),
    shuffle,
    sample: (items, k) => (k >= items.length ? shuffle(items) : shuffle(items).slice(0, Math.max(0, k))),
    hex: (bytes) => {
      let out = '';
      for (let i = 0; i < bytes; i++) out += (nextU32() & 0xff).toString(16).padStart(2, '0');
      return out;
    },
  };
}
