import { describe, expect, it } from 'vitest';
import { emptyRow, formatTable, percentile, ratio, round } from './browser-stats.js';

describe('browser bench stats', () => {
  it('percentile is nearest-rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([4, 1, 3, 2], 99)).toBe(4);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });

  it('round and ratio keep null', () => {
    expect(round(1.234, 1)).toBe(1.2);
    expect(round(null)).toBeNull();
    expect(ratio(6, 2)).toBe(3);
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('the table shows a killed-phase timeout as >deadline', () => {
    const row = { ...emptyRow('y-webrtc', 4), killed_gone_timeout: true, repaired_without_server: true, presence_p50_ms: 1.5 };
    const table = formatTable([row], 45_000);
    expect(table).toContain('>45000');
    expect(table).toContain('1.5 / —');
    expect(table.split('\n')).toHaveLength(3);
  });
});
