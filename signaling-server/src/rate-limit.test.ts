import { describe, expect, it } from 'vitest';
import { createBucket, takeToken } from './rate-limit.js';

describe('takeToken', () => {
  // [rate/s, burst, frame times in ms, expected pass/fail per frame]
  it.each([
    ['a full bucket passes a burst', 10, 3, [0, 0, 0, 0], [true, true, true, false]],
    ['refills at the rate', 10, 1, [0, 0, 50, 100, 150, 200], [true, false, false, true, false, true]],
    ['never holds more than burst', 1000, 2, [0, 10_000, 10_000, 10_000], [true, true, true, false]],
    ['a clock stepping back refills nothing', 10, 1, [1000, 500, 1000, 1100], [true, false, false, true]],
    ['fractional rates accumulate', 0.5, 1, [0, 1000, 2000], [true, false, true]],
  ])('%s', (_name, rate, burst, times, expected) => {
    const bucket = createBucket(burst, times[0] ?? 0);
    expect(times.map((t) => takeToken(bucket, t, rate, burst))).toEqual(expected);
  });
});
