import { describe, expect, it } from 'vitest';
import {
  bucketCountFor,
  directTriesFor,
  connectBackoffMs,
  expectedConfirmations,
  fnv1a,
  mixHash,
  retransmitLimit,
  scaleByHealth,
  suspicionMinMs,
  suspicionTimeoutMs,
} from './maths.js';

describe('protocol maths', () => {
  it.each([
    // first-try miss rate, tries for odds 1e-5 within [2, 6]
    [0, 2],
    [0.001, 2],
    [0.01, 3],
    [0.05, 4],
    [0.19, 6],
    [1, 6],
  ])('directTriesFor(%f) = %i', (missRate, want) => {
    expect(directTriesFor(missRate, 1e-5, 2, 6)).toBe(want);
  });

  it.each([
    // mult, n, interval, expected (memberlist's suspicion_test.go values at mult 3 and 4)
    [3, 1, 1000, 3000],
    [3, 10, 1000, 3000],
    [3, 100, 1000, 6000],
    [3, 1000, 1000, 9000],
    [4, 1000, 1000, 12000],
    [1.5, 1000, 1000, 4500],
    [1.5, 0, 1000, 1500],
  ])('suspicionMinMs(%d, %d, %d) = %d', (mult, n, interval, want) => {
    expect(suspicionMinMs(mult, n, interval)).toBe(want);
  });

  it.each([
    // confirmations, expected, min, max, timeout (Lifeguard: falls log-wise from max to min)
    [0, 3, 2000, 30000, 30000],
    [1, 3, 2000, 30000, 16000],
    [2, 3, 2000, 30000, 7810],
    [3, 3, 2000, 30000, 2000],
    [4, 3, 2000, 30000, 2000],
    [0, 0, 2000, 30000, 2000],
  ])('suspicionTimeoutMs(%d of %d, %d..%d) = %d', (n, k, min, max, want) => {
    expect(suspicionTimeoutMs(n, k, min, max)).toBe(want);
  });

  it.each([
    [3, 100, 3],
    [3, 4, 2],
    [3, 2, 0],
    [3, 1, 0],
  ])('expectedConfirmations(%d, %d) = %d', (k, live, want) => {
    expect(expectedConfirmations(k, live)).toBe(want);
  });

  it.each([
    [0, 1],
    [1, 1],
    [16, 1],
    [17, 2],
    [200, 16],
    [1000, 64],
    [10_000, 1024],
    [1_000_000, 1024],
  ])('bucketCountFor(%d) = %d', (members, want) => {
    expect(bucketCountFor(members)).toBe(want);
  });

  it.each([
    [0, 0],
    [1, 1000],
    [2, 2000],
    [5, 16000],
    [6, 30000],
    [60, 30000],
  ])('connectBackoffMs(%d failures) = %d', (failures, want) => {
    expect(connectBackoffMs(failures, 1000, 30000)).toBe(want);
  });

  it.each([
    [4, 1, 4],
    [4, 9, 4],
    [4, 10, 8],
    [4, 999, 12],
    [4, 1000, 16],
  ])('retransmitLimit(%d, %d) = %d (memberlist)', (mult, n, want) => {
    expect(retransmitLimit(mult, n)).toBe(want);
  });

  it('scales timeouts by local health', () => {
    expect(scaleByHealth(500, 0)).toBe(500);
    expect(scaleByHealth(500, 3)).toBe(2000);
  });

  it('hashes are 32-bit, stable and spread', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(mixHash(1, 2, 3)).toBe(mixHash(1, 2, 3));
    expect(mixHash(1, 2, 3)).not.toBe(mixHash(1, 3, 2));
    expect(mixHash(1, 2 ** 40)).not.toBe(mixHash(1, 0));
    expect(mixHash(7, 1)).toBeLessThan(2 ** 32);
  });
});
