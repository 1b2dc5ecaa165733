/**
 * The flags of `npm run bench:browser`, parsed and validated in one place so
 * that a bad value is one clear message (the runner prints it and exits 2)
 * instead of a NaN that surfaces minutes later as an empty table.
 */
import { parseArgs } from 'node:util';

export type BenchSystem = 'murmur' | 'y-webrtc';

export interface BrowserBenchOptions {
  json: boolean;
  /** Room sizes, in order. */
  sizes: number[];
  systems: BenchSystem[];
  /** Updates per phase (rotating senders). */
  updates: number;
  /** Gap between updates, ms. */
  gapMs: number;
  skipBuild: boolean;
  /** Runs of each system per room size, alternating systems; figures become min / median / max. */
  repeat: number;
}

/** A flag with a bad value; `message` names the flag, what it takes and what it got. */
export class BenchFlagError extends Error {
  readonly code = 'BENCH_BAD_FLAG';
  constructor(message: string) {
    super(message);
    this.name = 'BenchFlagError';
  }
}

function integer(flag: string, raw: string, min: number, max: number, why = ''): number {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchFlagError(`--${flag} must be an integer from ${min} to ${max}${why}, got '${raw}'`);
  }
  return value;
}

export function parseBrowserOptions(argv: readonly string[]): BrowserBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean', default: false },
        n: { type: 'string', default: '4,8,12' },
        systems: { type: 'string', default: 'murmur,y-webrtc' },
        updates: { type: 'string', default: '40' },
        'gap-ms': { type: 'string', default: '100' },
        'skip-build': { type: 'boolean', default: false },
        repeat: { type: 'string', default: '1' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node's own messages span lines; the runner prints one.
    throw new BenchFlagError((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' '));
  }
  const sizes = values.n.split(',').map((s) => integer('n', s.trim(), 4, 32, ' (a kill and two closes need 4), as a comma-separated list'));
  const systems = values.systems.split(',').map((s) => s.trim());
  for (const system of systems) {
    if (system !== 'murmur' && system !== 'y-webrtc') throw new BenchFlagError(`--systems takes murmur and/or y-webrtc, got '${system}'`);
  }
  return {
    json: values.json,
    sizes,
    systems: systems as BenchSystem[],
    updates: integer('updates', values.updates, 1, 10_000),
    gapMs: integer('gap-ms', values['gap-ms'], 0, 60_000),
    skipBuild: values['skip-build'],
    // Each run of the default sizes takes ~6 min on 2 cores; 20 is already two hours.
    repeat: integer('repeat', values.repeat, 1, 20),
  };
}
