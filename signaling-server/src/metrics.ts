/**
 * Prometheus metrics in the text exposition format (version 0.0.4), written
 * by hand: counters, gauges and one histogram are all the server needs, and
 * prom-client would be the largest dependency of a tiny server.
 */
export type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${escape(labels[k] ?? '')}"`).join(',')}}`;
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(value: number): void;
  readonly count: number;
}

export class MetricsRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string): Counter {
    const values = new Map<string, number>();
    this.families.push({
      name,
      help,
      type: 'counter',
      render: () => (values.size === 0 ? [`${name} 0`] : [...values].map(([l, v]) => `${name}${l} ${v}`)),
    });
    return {
      inc: (labels = {}, by = 1) => {
        const key = labelText(labels);
        values.set(key, (values.get(key) ?? 0) + by);
      },
      get: (labels = {}) => values.get(labelText(labels)) ?? 0,
    };
  }

  /** A gauge read at scrape time, so it can never drift from the truth. */
  gauge(name: string, help: string, read: () => number): void {
    this.families.push({ name, help, type: 'gauge', render: () => [`${name} ${read()}`] });
  }

  /** Cumulative buckets with upper bounds `bounds` (ascending), plus +Inf, sum and count. */
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    const counts = new Array<number>(bounds.length).fill(0);
    let sum = 0;
    let count = 0;
    this.families.push({
      name,
      help,
      type: 'histogram',
      render: () => {
        const lines: string[] = [];
        let cumulative = 0;
        bounds.forEach((bound, i) => {
          cumulative += counts[i] ?? 0;
          lines.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
        });
        lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${sum}`, `${name}_count ${count}`);
        return lines;
      },
    });
    return {
      observe: (value) => {
        sum += value;
        count += 1;
        const i = bounds.findIndex((b) => value <= b);
        if (i >= 0) counts[i] = (counts[i] ?? 0) + 1;
      },
      get count() {
        return count;
      },
    };
  }

  render(): string {
    const lines: string[] = [];
    for (const f of this.families) lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    return `${lines.join('\n')}\n`;
  }
}
