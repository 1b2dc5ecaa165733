/**
 * Figures and the table for the browser benchmark: pure functions, so the
 * arithmetic has tests and the runner only measures.
 */

export const SYSTEMS = ['murmur', 'y-webrtc', 'floor'] as const;
export type System = (typeof SYSTEMS)[number];

/** One line of `--json` output: one system at one room size. Times in ms; null when not measured. */
export interface BenchRow {
  system: System;
  /** Users in the room; for the floor (always two pages), the room size it was measured before. */
  n: number;
  join_all_ms: number | null;
  presence_p50_ms: number | null;
  presence_p99_ms: number | null;
  doc_p50_ms: number | null;
  doc_p99_ms: number | null;
  /** RTCDataChannel sends per presence update, per user (all users' sends in the window / updates / n). */
  msgs_per_update: number | null;
  bytes_per_update: number | null;
  /** The same, for Yjs updates. */
  doc_msgs_per_update: number | null;
  doc_bytes_per_update: number | null;
  killed_gone_ms: number | null;
  /** True when killed_gone_ms is null because the phase deadline passed. */
  killed_gone_timeout: boolean;
  links_per_user: number | null;
  repaired_without_server: boolean | null;
  /** Presence p99 over the floor's one-hop one-way p99, measured in the same run just before this room size. */
  presence_p99_vs_floor: number | null;
  /** Time spent waiting for links to stop changing after the join, before updates are measured. */
  settle_ms: number | null;
  /** Data-channel sends per user per second while nobody updates anything (probes, anti-entropy, renewals). */
  idle_msgs_per_user_s: number | null;
  /** Receipts that never arrived, out of those expected (presence + doc). */
  lost: number;
  expected: number;
  /** Floor only: data-channel round trip. */
  rtt_p50_ms?: number | null;
  rtt_p99_ms?: number | null;
  notes: string[];
}

export function emptyRow(system: System, n: number): BenchRow {
  return {
    system,
    n,
    join_all_ms: null,
    presence_p50_ms: null,
    presence_p99_ms: null,
    doc_p50_ms: null,
    doc_p99_ms: null,
    msgs_per_update: null,
    bytes_per_update: null,
    doc_msgs_per_update: null,
    doc_bytes_per_update: null,
    killed_gone_ms: null,
    killed_gone_timeout: false,
    links_per_user: null,
    repaired_without_server: null,
    presence_p99_vs_floor: null,
    settle_ms: null,
    idle_msgs_per_user_s: null,
    lost: 0,
    expected: 0,
    notes: [],
  };
}

/** Nearest-rank percentile (p in 0..100) of the values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function ratio(value: number | null, floor: number | null): number | null {
  return value === null || floor === null || floor <= 0 ? null : round(value / floor, 2);
}

const cell = (value: number | boolean | null | undefined, timeoutMs?: number): string => {
  if (value === undefined || value === null) return timeoutMs === undefined ? '—' : `>${timeoutMs}`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
};

export const COLUMNS = [
  'system',
  'n',
  'join_all_ms',
  'presence_p50/p99_ms',
  'doc_p50/p99_ms',
  'msgs/upd',
  'idle msgs/user/s',
  'bytes/upd',
  'killed_gone_ms',
  'links/user',
  'repaired_no_server',
  'p99/floor',
] as const;

/**
 * A plain-text table, one line per row, columns padded; Markdown-compatible.
 * With `stats` (one label per row, as `--repeat` gives: min, median of K, max)
 * a `stat` column follows `n`; without it the table reads as it always has.
 */
export function formatTable(rows: readonly BenchRow[], killedDeadlineMs: number, stats?: readonly string[]): string {
  const lines = rows.map((row, i) => {
    const line = [
      row.system,
      String(row.n),
      cell(row.join_all_ms),
      `${cell(row.presence_p50_ms)} / ${cell(row.presence_p99_ms)}`,
      `${cell(row.doc_p50_ms)} / ${cell(row.doc_p99_ms)}`,
      cell(row.msgs_per_update),
      cell(row.idle_msgs_per_user_s),
      cell(row.bytes_per_update),
      row.system === 'floor' ? '—' : cell(row.killed_gone_ms, row.killed_gone_timeout ? killedDeadlineMs : undefined),
      cell(row.links_per_user),
      cell(row.repaired_without_server),
      cell(row.presence_p99_vs_floor),
    ];
    if (stats !== undefined) line.splice(2, 0, stats[i] ?? '');
    return line;
  });
  const header: string[] = [...COLUMNS];
  if (stats !== undefined) header.splice(2, 0, 'stat');
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((line) => line[i]!.length)));
  const render = (line: string[]) => `| ${line.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}
