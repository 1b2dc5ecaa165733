import { describe, expect, it } from 'vitest';
import { createPrng } from './prng.js';

describe('createPrng', () => {
  it('replays the same stream from the same seed', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const xs = Array.from({ length: 50 }, () => a.next());
    const ys = Array.from({ length: 50 }, () => b.next());
    expect(xs).toEqual(ys);
  });

  it('gives different streams for nearby seeds', () => {
    expect(createPrng(1).next()).not.toEqual(createPrng(2).next());
  });

  it('stays in range and is roughly uniform', () => {
    const rng = createPrng(7);
    const buckets = new Array<number>(10).fill(0);
    let outOfRange = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outOfRange += 1;
      else buckets[Math.floor(x * 10)]! += 1;
    }
    expect(outOfRange).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });

  it('shuffle is a permutation and sample returns distinct items', () => {
    const rng = createPrng(3);
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(rng.shuffle(items).sort((x, y) => x - y)).toEqual(items);
    const picked = rng.sample(items, 5);
    expect(new Set(picked).size).toBe(5);
    expect(rng.sample(items, 50)).toHaveLength(20);
    expect(rng.pick([])).toBeUndefined();
    expect(rng.hex(8)).toMatch(/^[0-9a-f]{16}$/);
  });
});
