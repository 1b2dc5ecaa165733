/**
 * `bench:browser --repeat K`: K rows of one system at one room size folded
 * into one. Timing on a shared 2-core machine drifts by a quarter within
 * minutes, so one run proves little; the median of alternating runs, with
 * its min and max beside it, is what a claim should rest on.
 *
 * Every figure keeps its name (now the median) and gains `<name>_min` and
 * `<name>_max`; `runs` says how many runs were folded.
 */
import { formatTable, round, type BenchRow } from './browser-stats.js';

/** Figures that are numbers; `null` in a run means that run did not measure it. */
export const NUMERIC_FIGURES = [
  'join_all_ms',
  'presence_p50_ms',
  'presence_p99_ms',
  'doc_p50_ms',
  'doc_p99_ms',
  'msgs_per_update',
  'bytes_per_update',
  'doc_msgs_per_update',
  'doc_bytes_per_update',
  'killed_gone_ms',
  'links_per_user',
  'presence_p99_vs_floor',
  'settle_ms',
  'idle_msgs_per_user_s',
  'lost',
  'expected',
] as const;
/** The floor's round trip: present only on floor rows, so only aggregated where present. */
export const OPTIONAL_FIGURES = ['rtt_p50_ms', 'rtt_p99_ms'] as const;
export const BOOLEAN_FIGURES = ['repaired_without_server', 'killed_gone_timeout'] as const;
export const STATS = ['min', 'median', 'max'] as const;
export type Stat = (typeof STATS)[number];

type NumericFigure = (typeof NUMERIC_FIGURES)[number];
type OptionalFigure = (typeof OPTIONAL_FIGURES)[number];
type MinMax<K extends string, V> = { [P in K as `${P}_min` | `${P}_max`]: V };

export type RepeatedRow = BenchRow & { runs: number } & MinMax<NumericFigure, number | null> &
  Partial<MinMax<OptionalFigure, number | null>> &
  MinMax<'repaired_without_server', boolean | null> &
  MinMax<'killed_gone_timeout', boolean>;

export interface Spread<V> {
  min: V;
  median: V;
  max: V;
}

/** Median of the values (the mean of the two middle ones for an even count, to 2 decimals); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  const mean = (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Number.isFinite(mean) ? round(mean, 2) : mean;
}

/** Min, median and max of the measured values; each null when no run measured the figure. */
export function spread(values: ReadonlyArray<number | null>): Spread<number | null> {
  const measured = values.filter((v): v is number => v !== null);
  if (measured.length === 0) return { min: null, median: null, max: null };
  return { min: Math.min(...measured), median: median(measured), max: Math.max(...measured) };
}

/**
 * A yes/no figure over runs: min is "yes in every run", max "yes in some run",
 * median "yes in more than half" (a tie is no: a claim should hold in most runs).
 */
export function booleanSpread(values: ReadonlyArray<boolean | null>): Spread<boolean | null> {
  const measured = values.filter((v): v is boolean => v !== null);
  if (measured.length === 0) return { min: null, median: null, max: null };
  const yes = measured.filter(Boolean).length;
  return { min: yes === measured.length, median: yes * 2 > measured.length, max: yes > 0 };
}

const finiteOrNull = (value: number | null): number | null => (value === null || !Number.isFinite(value) ? null : value);

/** Each distinct note once, saying which runs gave it (`all 3 runs`, `run 2/3`, `runs 1, 3 of 3`). */
function groupNotes(runs: readonly BenchRow[]): string[] {
  const byNote = new Map<string, number[]>();
  runs.forEach((run, i) => {
    for (const note of new Set(run.notes)) byNote.set(note, [...(byNote.get(note) ?? []), i + 1]);
  });
  return [...byNote].map(([note, which]) => {
    const label = which.length === runs.length ? `all ${runs.length} runs` : which.length === 1 ? `run ${which[0]}/${runs.length}` : `runs ${which.join(', ')} of ${runs.length}`;
    return `${label}: ${note}`;
  });
}

/** Folds the runs of one system at one room size (in run order) into one row. */
export function aggregateRuns(runs: readonly BenchRow[]): RepeatedRow {
  const first = runs[0];
  if (first === undefined) throw new Error('aggregateRuns needs at least one run');
  for (const run of runs) {
    if (run.system !== first.system || run.n !== first.n) {
      throw new Error(`aggregateRuns folds one system at one n, got ${first.system} n=${first.n} and ${run.system} n=${run.n}`);
    }
  }
  const figures: Record<string, Spread<number | boolean | null>> = {};
  const missing: string[] = [];
  const numeric = (name: string, values: ReadonlyArray<number | null>) => {
    figures[name] = spread(values);
    const measured = values.filter((v) => v !== null).length;
    if (measured > 0 && measured < runs.length) missing.push(`${name} measured in ${measured} of ${runs.length} runs`);
  };
  for (const name of NUMERIC_FIGURES) {
    if (name === 'killed_gone_ms') continue;
    numeric(name, runs.map((r) => r[name]));
  }
  for (const name of OPTIONAL_FIGURES) {
    if (runs.some((r) => name in r)) numeric(name, runs.map((r) => r[name] ?? null));
  }
  // A run whose killed user outlived the deadline ranks above every measured one: leaving
  // it out would flatter the median. Where a statistic lands on such a run it is null, timeout yes.
  const killed = spread(runs.map((r) => (r.killed_gone_timeout ? Number.POSITIVE_INFINITY : r.killed_gone_ms)));
  figures.killed_gone_ms = { min: finiteOrNull(killed.min), median: finiteOrNull(killed.median), max: finiteOrNull(killed.max) };
  figures.killed_gone_timeout = {
    min: killed.min === Number.POSITIVE_INFINITY,
    median: killed.median === Number.POSITIVE_INFINITY,
    max: killed.max === Number.POSITIVE_INFINITY,
  };
  const killedMeasured = runs.filter((r) => r.killed_gone_timeout || r.killed_gone_ms !== null).length;
  if (killedMeasured > 0 && killedMeasured < runs.length) missing.push(`killed_gone_ms measured in ${killedMeasured} of ${runs.length} runs`);
  figures.repaired_without_server = booleanSpread(runs.map((r) => r.repaired_without_server));

  const notes = runs.length === 1 ? [...first.notes] : [...missing, ...groupNotes(runs)];
  // Today's key order, each figure's _min and _max right beside it, runs after n.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) {
    const figure = figures[key];
    if (figure === undefined) {
      out[key] = key === 'notes' ? notes : first[key as keyof BenchRow];
    } else {
      out[key] = key === 'lost' || key === 'expected' ? (figure.median ?? 0) : figure.median;
      out[`${key}_min`] = figure.min;
      out[`${key}_max`] = figure.max;
    }
    if (key === 'n') out.runs = runs.length;
  }
  return out as unknown as RepeatedRow;
}

/** The row as it would read if every figure took the given statistic: what one line of the table shows. */
export function statView(row: RepeatedRow, stat: Stat): BenchRow {
  const view: Record<string, unknown> = { ...row };
  if (stat !== 'median') {
    for (const name of [...NUMERIC_FIGURES, ...OPTIONAL_FIGURES, ...BOOLEAN_FIGURES]) {
      const key = `${name}_${stat}`;
      if (key in row) view[name] = (row as unknown as Record<string, unknown>)[key];
    }
  }
  return view as unknown as BenchRow;
}

/**
 * The table for folded rows: with one run each, exactly today's table; with more,
 * three lines per system and n (min, median, max) under a `stat` column.
 */
export function formatRepeatedTable(rows: readonly RepeatedRow[], killedDeadlineMs: number): string {
  if (rows.every((row) => row.runs === 1)) return formatTable(rows.map((row) => statView(row, 'median')), killedDeadlineMs);
  const views: BenchRow[] = [];
  const labels: string[] = [];
  for (const row of rows) {
    for (const stat of STATS) {
      views.push(statView(row, stat));
      labels.push(stat === 'median' ? `median of ${row.runs}` : stat);
    }
  }
  return formatTable(views, killedDeadlineMs, labels);
}
