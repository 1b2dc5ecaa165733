/**
 * `npm run bench:sim -- --scenario churn|partition [flags]`: the scenario
 * runs' options, their defaults (the issue's figures) and the flag parser.
 * Every bad flag is refused with a message naming it; bench/sim.ts turns
 * that into exit code 2.
 */

export const SCENARIOS = ['churn', 'partition'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  scenario: ScenarioName;
  n: number;
  seed: number;
  /** Independent message loss on every link. */
  loss: number;
  /** Virtual minutes measured after the warm-up (the initial N joins and 20 s to settle). */
  minutes: number;
  /**
   * Churn rates, per virtual minute (Poisson): tabs opened, closed (goodbye) and killed (silent). Opens
   * default to closes + kills, so the live room stays near N (10 opens against 20 departures a minute
   * would shrink a 1,000-tab room by 300 in 30 minutes).
   */
  joinsPerMin: number;
  leavesPerMin: number;
  crashesPerMin: number;
  /** Signaling outages spread evenly over the measured window, each this long. */
  outages: number;
  outageMinutes: number;
  /** Partition scenario: how long the two halves are cut off (the server is down as long). */
  partitionMinutes: number;
  /** Docs on every tab (Yjs over the mesh, as the client runs it); on by default for partition. */
  docs: boolean;
  /** App broadcasts per virtual second, each from a random live peer in the room. */
  updatesPerS: number;
  /** A (update, peer) pair counts if the peer was live from the send until this long after it. */
  graceS: number;
  /** Period of the link-graph samples (components, isolated peers, links), virtual seconds. */
  sampleS: number;
  /** Engine override: most links per tab. */
  maxLinks: number | undefined;
  /** Count the measured window's frames by type and server phase (row field `traffic`, a table with it). */
  frames: boolean;
}

export interface ScenarioCli {
  json: boolean;
  runs: ScenarioOptions[];
}

const DEFAULTS: Record<ScenarioName, Omit<ScenarioOptions, 'scenario' | 'seed' | 'n'> & { n: number }> = {
  churn: {
    n: 1000,
    loss: 0.1,
    minutes: 30,
    joinsPerMin: 20,
    leavesPerMin: 10,
    crashesPerMin: 10,
    outages: 2,
    outageMinutes: 5,
    partitionMinutes: 0,
    docs: false,
    updatesPerS: 0.5,
    graceS: 20,
    sampleS: 1,
    maxLinks: undefined,
    frames: false,
  },
  partition: {
    // Not 1,000: until 2026-12-03 every tab exchanged Yjs state vectors with each rejoined peer, and routes to the
    // other side were gone, so many went out as room-wide floods: ~N³ frames (N=200: 3.35 M frames in the run; at
    // 1,000 the heal minute did not finish in 9 minutes). Join syncs now spend from a budget (doc-sync.ts): N=200 sends
    // ~2 M frames in all. `--n 1000 --docs off` measures the membership merge alone at 1,000.
    n: 200,
    loss: 0.1,
    minutes: 4,
    joinsPerMin: 0,
    leavesPerMin: 0,
    crashesPerMin: 0,
    outages: 0,
    outageMinutes: 0,
    partitionMinutes: 2,
    docs: true,
    updatesPerS: 0.5,
    graceS: 20,
    sampleS: 1,
    maxLinks: undefined,
    frames: false,
  },
};

/** Flags of the classic run (bench/sim.ts) that mean nothing for a scenario. */
const CLASSIC_ONLY = new Set(['--updates', '--protocols']);

export const SCENARIO_FLAGS = [
  '--scenario', '--json', '--n', '--seed', '--runs', '--loss', '--minutes', '--joins-per-min', '--leaves-per-min', '--crashes-per-min',
  '--outages', '--outage-minutes', '--partition-minutes', '--docs', '--updates-per-s', '--grace-s', '--sample-s', '--max-links',
  '--frames',
];

function number(value: string | undefined, flag: string, check: (x: number) => boolean, wants: string): number {
  const x = Number(value);
  if (value === undefined || value === '' || value.startsWith('--') || !Number.isFinite(x) || !check(x)) {
    throw new Error(`${flag} wants ${wants}, got ${value === undefined || value.startsWith('--') ? 'nothing' : value}`);
  }
  return x;
}

const nonNegative = (x: number): boolean => x >= 0;
const integerFrom = (min: number) => (x: number): boolean => Number.isInteger(x) && x >= min;

/** Parses a scenario command line (`--scenario` anywhere in it). Throws an Error naming the bad flag. */
export function parseScenarioArgs(argv: readonly string[]): ScenarioCli {
  const at = argv.indexOf('--scenario');
  const name = argv[at + 1];
  if (at < 0) throw new Error('--scenario is missing');
  if (!SCENARIOS.includes(name as ScenarioName)) throw new Error(`--scenario wants one of ${SCENARIOS.join(', ')}, got ${name === undefined ? 'nothing' : name}`);
  const scenario = name as ScenarioName;
  const base = { ...DEFAULTS[scenario] };
  let json = false;
  let ns = [base.n];
  let seed = 1;
  let runs = 1;
  let minutesGiven = false;
  let outageGiven = false;
  let joinsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string | undefined => argv[++i];
    switch (arg) {
      case '--scenario':
        i += 1;
        break;
      case '--json':
        json = true;
        break;
      case '--frames':
        base.frames = true;
        break;
      case '--n': {
        const raw = value();
        const list = (raw ?? '').split(',');
        ns = list.map((item) => number(item === '' ? undefined : item, '--n', integerFrom(2), 'room sizes (integers of at least 2, comma-separated)'));
        if (raw === undefined || raw.startsWith('--')) throw new Error('--n wants room sizes (integers of at least 2, comma-separated), got nothing');
        break;
      }
      case '--seed':
        seed = number(value(), '--seed', integerFrom(0), 'an integer of at least 0');
        break;
      case '--runs':
        runs = number(value(), '--runs', integerFrom(1), 'an integer of at least 1 (seeds seed, seed+1, …)');
        break;
      case '--loss':
        base.loss = number(value(), '--loss', (x) => x >= 0 && x < 1, 'a fraction in [0, 1) (0.1 is 10%)');
        break;
      case '--minutes':
        base.minutes = number(value(), '--minutes', (x) => x > 0, 'a positive number of virtual minutes');
        minutesGiven = true;
        break;
      case '--joins-per-min':
        base.joinsPerMin = number(value(), '--joins-per-min', nonNegative, 'a rate of at least 0');
        joinsGiven = true;
        break;
      case '--leaves-per-min':
        base.leavesPerMin = number(value(), '--leaves-per-min', nonNegative, 'a rate of at least 0');
        break;
      case '--crashes-per-min':
        base.crashesPerMin = number(value(), '--crashes-per-min', nonNegative, 'a rate of at least 0');
        break;
      case '--outages':
        base.outages = number(value(), '--outages', integerFrom(0), 'an integer of at least 0');
        break;
      case '--outage-minutes':
        base.outageMinutes = number(value(), '--outage-minutes', nonNegative, 'virtual minutes, at least 0');
        outageGiven = true;
        break;
      case '--partition-minutes':
        base.partitionMinutes = number(value(), '--partition-minutes', (x) => x > 0, 'a positive number of virtual minutes');
        break;
      case '--docs': {
        const raw = value();
        if (raw !== 'on' && raw !== 'off') throw new Error(`--docs wants on or off, got ${raw ?? 'nothing'}`);
        base.docs = raw === 'on';
        break;
      }
      case '--updates-per-s':
        base.updatesPerS = number(value(), '--updates-per-s', nonNegative, 'a rate of at least 0');
        break;
      case '--grace-s':
        base.graceS = number(value(), '--grace-s', (x) => x > 0, 'a positive number of virtual seconds');
        break;
      case '--sample-s':
        base.sampleS = number(value(), '--sample-s', (x) => x >= 0.1, 'virtual seconds, at least 0.1');
        break;
      case '--max-links':
        base.maxLinks = number(value(), '--max-links', integerFrom(1), 'an integer of at least 1');
        break;
      default:
        if (CLASSIC_ONLY.has(arg)) throw new Error(`${arg} does not apply to --scenario (scenario flags: ${SCENARIO_FLAGS.join(' ')})`);
        throw new Error(`unknown flag ${arg} for --scenario (flags: ${SCENARIO_FLAGS.join(' ')})`);
    }
  }
  if (!joinsGiven) base.joinsPerMin = base.leavesPerMin + base.crashesPerMin;
  // A shorter churn run keeps the default's proportions: each outage a sixth of the run (5 of 30 minutes).
  if (scenario === 'churn' && minutesGiven && !outageGiven) base.outageMinutes = base.minutes / 6;
  if (scenario === 'churn' && base.outages * base.outageMinutes >= base.minutes) {
    throw new Error(`--outages × --outage-minutes (${base.outages} × ${base.outageMinutes}) must be shorter than --minutes (${base.minutes})`);
  }
  if (scenario === 'partition') {
    if (!minutesGiven) base.minutes = Math.max(base.minutes, base.partitionMinutes + 2);
    if (base.partitionMinutes + 1 > base.minutes) {
      throw new Error(`--minutes (${base.minutes}) must leave the partition (--partition-minutes ${base.partitionMinutes}) 30 s before and at least 30 s after`);
    }
  }
  const options: ScenarioOptions[] = [];
  for (const n of ns) for (let r = 0; r < runs; r++) options.push({ ...base, scenario, n, seed: seed + r });
  return { json, runs: options };
}
