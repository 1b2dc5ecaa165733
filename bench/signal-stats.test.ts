import { describe, expect, it } from 'vitest';
import { bucketOf, bucketUpperMs, formatTable, LatencyHistogram } from './signal-stats.js';

describe('LatencyHistogram', () => {
  it.each([
    [0.001, 0.001],
    [0.05, 0.05],
    [1, 1],
    [12.5, 12.5],
    [900, 900],
  ])('puts %f ms in a bucket whose upper edge is within 4%% above it', (ms, expected) => {
    const upper = bucketUpperMs(bucketOf(ms));
    expect(upper).toBeGreaterThanOrEqual(expected);
    expect(upper).toBeLessThan(expected * 1.04);
  });

  it('reads quantiles from merged workers', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 90; i++) a.record(1);
    for (let i = 1; i <= 10; i++) b.record(100);
    const merged = new LatencyHistogram();
    merged.merge(a.toArray());
    merged.merge(b.toArray());
    expect(merged.total).toBe(100);
    expect(merged.quantile(0.5)).toBeCloseTo(1, 1);
    expect(merged.quantile(0.9)).toBeLessThan(1.04);
    expect(merged.quantile(0.99)).toBeGreaterThanOrEqual(100);
    expect(new LatencyHistogram().quantile(0.5)).toBeNaN();
  });

  it('formats a table', () => {
    expect(formatTable(['server', 'n'], [['a', 1], ['bb', 22]])).toBe('| server |  n |\n|--------|---:|\n| a      |  1 |\n| bb     | 22 |');
  });
});
