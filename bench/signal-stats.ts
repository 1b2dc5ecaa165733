/**
 * Latency histogram for the signaling benchmark: log-spaced buckets (about
 * 3.5% wide) so workers can ship fixed-size arrays to the parent, which
 * merges them and reads percentiles. Pure, so it has table tests.
 */
const PER_OCTAVE = 20;
/** Buckets cover 1 µs to about 2^24 µs (16 s); later values land in the last bucket. */
const BUCKETS = 24 * PER_OCTAVE + 1;

export function bucketOf(ms: number): number {
  const us = Math.max(1, ms * 1000);
  return Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * PER_OCTAVE));
}

/** Upper edge of a bucket, in ms. */
export function bucketUpperMs(index: number): number {
  return 2 ** ((index + 1) / PER_OCTAVE) / 1000;
}

export class LatencyHistogram {
  readonly counts: number[] = new Array<number>(BUCKETS).fill(0);
  total = 0;

  record(ms: number): void {
    const i = bucketOf(ms);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total += 1;
  }

  merge(counts: readonly number[]): void {
    counts.forEach((n, i) => {
      this.counts[i] = (this.counts[i] ?? 0) + n;
      this.total += n;
    });
  }

  /** The upper edge of the bucket holding quantile `q` (0..1); NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return bucketUpperMs(i);
    }
    return bucketUpperMs(BUCKETS - 1);
  }

  toArray(): number[] {
    return [...this.counts];
  }
}

/** Fixed-width text table; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}
