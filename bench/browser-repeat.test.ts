import { describe, expect, it } from 'vitest';
import { aggregateRuns, booleanSpread, formatRepeatedTable, median, spread, statView } from './browser-repeat.js';
import { emptyRow, formatTable, type BenchRow } from './browser-stats.js';

const run = (figures: Partial<BenchRow>): BenchRow => ({ ...emptyRow('murmur', 4), ...figures });

describe('bench:browser --repeat aggregation', () => {
  it('median of an odd count is the middle run, of an even count the mean of the two middle runs', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1.2, 1.25])).toBe(1.23);
    expect(median([1000, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });

  it('spread skips runs that did not measure a figure', () => {
    expect(spread([3, null, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([null, null])).toEqual({ min: null, median: null, max: null });
  });

  it('a yes/no figure: min is every run, max some run, median more than half (a tie is no)', () => {
    expect(booleanSpread([true, false, true])).toEqual({ min: false, median: true, max: true });
    expect(booleanSpread([true, false])).toEqual({ min: false, median: false, max: true });
    expect(booleanSpread([true, null])).toEqual({ min: true, median: true, max: true });
    expect(booleanSpread([null])).toEqual({ min: null, median: null, max: null });
  });

  it('keeps every figure name as the median and puts _min and _max beside it', () => {
    const row = aggregateRuns([
      run({ join_all_ms: 900, presence_p50_ms: 2.1, lost: 0, expected: 120, repaired_without_server: true }),
      run({ join_all_ms: 1500, presence_p50_ms: 1.9, lost: 2, expected: 120, repaired_without_server: false }),
      run({ join_all_ms: 1100, presence_p50_ms: 3.5, lost: 1, expected: 120, repaired_without_server: true }),
    ]);
    expect(row.runs).toBe(3);
    expect([row.join_all_ms_min, row.join_all_ms, row.join_all_ms_max]).toEqual([900, 1100, 1500]);
    expect([row.presence_p50_ms_min, row.presence_p50_ms, row.presence_p50_ms_max]).toEqual([1.9, 2.1, 3.5]);
    expect([row.lost_min, row.lost, row.lost_max]).toEqual([0, 1, 2]);
    expect([row.repaired_without_server_min, row.repaired_without_server, row.repaired_without_server_max]).toEqual([false, true, true]);
    const keys = Object.keys(row);
    expect(keys.slice(0, 6)).toEqual(['system', 'n', 'runs', 'join_all_ms', 'join_all_ms_min', 'join_all_ms_max']);
    // Every one of today's names is still there.
    for (const key of Object.keys(emptyRow('murmur', 4))) expect(keys).toContain(key);
  });

  it('one run keeps today\'s row, with runs: 1 and equal _min and _max', () => {
    const single = run({ join_all_ms: 588, killed_gone_ms: 3100, presence_p99_vs_floor: 1.5, notes: ['a note'] });
    const row = aggregateRuns([single]);
    expect(row).toMatchObject(single);
    expect(row.runs).toBe(1);
    expect(row.join_all_ms_min).toBe(588);
    expect(row.join_all_ms_max).toBe(588);
    expect(row.doc_p50_ms_min).toBeNull();
    expect(row.killed_gone_timeout_max).toBe(false);
    expect(formatRepeatedTable([row], 45_000)).toBe(formatTable([single], 45_000));
  });

  it('a figure missing from some runs is the spread of the others, and says so', () => {
    const row = aggregateRuns([run({ join_all_ms: null, notes: ['slow'] }), run({ join_all_ms: 700 }), run({ join_all_ms: 500 })]);
    expect([row.join_all_ms_min, row.join_all_ms, row.join_all_ms_max]).toEqual([500, 600, 700]);
    expect(row.notes).toContain('join_all_ms measured in 2 of 3 runs');
    expect(row.notes).toContain('run 1/3: slow');
  });

  it('a note several runs gave is kept once, naming the runs', () => {
    const row = aggregateRuns([run({ notes: ['a', 'b'] }), run({ notes: ['a'] }), run({ notes: ['a', 'b', 'c'] })]);
    expect(row.notes).toEqual(['all 3 runs: a', 'runs 1, 3 of 3: b', 'run 3/3: c']);
  });

  it('a killed-phase timeout ranks above every measured run', () => {
    const one = aggregateRuns([run({ killed_gone_ms: 3000 }), run({ killed_gone_timeout: true }), run({ killed_gone_ms: 5000 })]);
    expect([one.killed_gone_ms_min, one.killed_gone_ms, one.killed_gone_ms_max]).toEqual([3000, 5000, null]);
    expect([one.killed_gone_timeout_min, one.killed_gone_timeout, one.killed_gone_timeout_max]).toEqual([false, false, true]);
    const most = aggregateRuns([run({ killed_gone_timeout: true }), run({ killed_gone_timeout: true }), run({ killed_gone_ms: 5000 })]);
    expect(most.killed_gone_ms).toBeNull();
    expect(most.killed_gone_timeout).toBe(true);
    expect(formatRepeatedTable([most], 45_000)).toContain('>45000');
  });

  it('the floor\'s round trip is folded only where present', () => {
    const floor = (rtt: number): BenchRow => ({ ...emptyRow('floor', 4), rtt_p50_ms: rtt, rtt_p99_ms: rtt * 2 });
    const row = aggregateRuns([floor(1), floor(3)]);
    expect([row.rtt_p50_ms_min, row.rtt_p50_ms, row.rtt_p50_ms_max]).toEqual([1, 2, 3]);
    expect('rtt_p50_ms_min' in aggregateRuns([run({})])).toBe(false);
  });

  it('refuses no runs, and runs of different systems or sizes', () => {
    expect(() => aggregateRuns([])).toThrow(/at least one run/);
    expect(() => aggregateRuns([run({}), { ...emptyRow('y-webrtc', 4) }])).toThrow(/one system at one n/);
  });

  it('with several runs the table has min, median and max lines under a stat column', () => {
    const row = aggregateRuns([run({ join_all_ms: 900 }), run({ join_all_ms: 1500 }), run({ join_all_ms: 1100 })]);
    expect(statView(row, 'min').join_all_ms).toBe(900);
    expect(statView(row, 'max').join_all_ms).toBe(1500);
    const lines = formatRepeatedTable([row], 45_000).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\| system \| n +\| stat +\| join_all_ms/);
    expect(lines[2]).toMatch(/\| min +\| 900 /);
    expect(lines[3]).toMatch(/\| median of 3 \| 1100 /);
    expect(lines[4]).toMatch(/\| max +\| 1500 /);
  });
});
