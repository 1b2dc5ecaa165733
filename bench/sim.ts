/**
 * npm run bench:sim [-- --json] [--n 10,100,1000] [--loss 0,0.1] [--seed 1] [--updates 20]
 *
 * Runs the gossip engine in the simulator and the flood and push baselines
 * on the same virtual network (50 ms links), for each N and loss, and prints
 * a table (or, with --json, one JSON object per line). Figures are virtual
 * time except wall_ms/cpu_ms.
 *
 * npm run bench:sim -- --scenario churn|partition [--json] [--n 1000] [--seed 1] [--runs 1] [--minutes 30] …
 *
 * Runs one of issue 12's long scenarios instead (bench/sim-scenario.ts; every
 * flag and default in bench/sim-scenario-cli.ts) and prints its table, or with
 * --json one JSON object per run (ScenarioRow in bench/sim-scenario-row.ts).
 */
import { runBaseline } from './baselines.js';
import { runGossip } from './gossip-run.js';
import type { BenchRow } from './result.js';
import type { RunOptions } from './run-options.js';
import { runScenario } from './sim-scenario.js';
import { parseScenarioArgs, type ScenarioCli } from './sim-scenario-cli.js';
import { formatScenarioTable, type ScenarioRow } from './sim-scenario-row.js';
import { formatTraffic } from './sim-scenario-traffic.js';

interface Cli {
  json: boolean;
  ns: number[];
  losses: number[];
  seed: number;
  updates: number;
  protocols: string[];
}

function parseList(value: string | undefined, flag: string): number[] {
  const list = (value ?? '').split(',').map(Number);
  if (list.length === 0 || list.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`${flag} wants a comma-separated list of numbers`);
  return list;
}

function parseInteger(value: string | undefined, flag: string, min: number): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isInteger(n) || n < min) throw new Error(`${flag} wants an integer of at least ${min}, got ${value ?? 'nothing'}`);
  return n;
}

const PROTOCOLS = ['gossip', 'flood', 'push'];

function parseProtocols(value: string | undefined): string[] {
  const list = (value ?? '').split(',');
  const unknown = list.filter((name) => !PROTOCOLS.includes(name));
  if (unknown.length > 0) throw new Error(`--protocols wants a comma-separated subset of ${PROTOCOLS.join(',')}, got ${unknown.join(',') || 'nothing'}`);
  return list;
}

function parseArgs(argv: readonly string[]): Cli {
  const cli: Cli = { json: false, ns: [10, 100, 1000], losses: [0, 0.1], seed: 1, updates: 20, protocols: ['gossip', 'flood', 'push'] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string | undefined => argv[++i];
    if (arg === '--json') cli.json = true;
    else if (arg === '--n') cli.ns = parseList(value(), '--n').map(Math.round);
    else if (arg === '--loss') cli.losses = parseList(value(), '--loss');
    else if (arg === '--seed') cli.seed = parseInteger(value(), '--seed', 0);
    else if (arg === '--updates') cli.updates = parseInteger(value(), '--updates', 1);
    else if (arg === '--protocols') cli.protocols = parseProtocols(value());
    else throw new Error(`unknown flag ${arg} (flags: --json --n --loss --seed --updates --protocols, or --scenario churn|partition)`);
  }
  if (cli.ns.some((n) => n < 2)) throw new Error('--n wants sizes of at least 2');
  if (cli.losses.some((loss) => loss >= 1)) throw new Error('--loss wants fractions below 1 (0.1 is 10%)');
  return cli;
}

const COLUMNS: Array<[keyof BenchRow, string]> = [
  ['protocol', 'protocol'],
  ['n', 'N'],
  ['loss', 'loss'],
  ['rounds_p50', 'rnd50'],
  ['rounds_p99', 'rnd99'],
  ['rounds_p999', 'rnd99.9'],
  ['latency_p50_ms', 'lat50ms'],
  ['latency_p99_ms', 'lat99ms'],
  ['reach', 'reach'],
  ['rmr', 'RMR'],
  ['copies_per_peer', 'copies'],
  ['detect_median_s', 'det50s'],
  ['detect_p99_s', 'det99s'],
  ['false_dead', 'falseDead'],
  ['msgs_per_peer_per_s', 'msg/s'],
  ['bytes_per_peer_per_s', 'B/s'],
  ['wall_ms', 'wall_ms'],
  ['cpu_ms', 'cpu_ms'],
];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'inf';
  return String(value);
}

function printTable(rows: readonly BenchRow[]): void {
  const table = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => cell(row[key])))];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((line) => (line[c] as string).length)));
  const format = (line: string[]): string => `| ${line.map((text, c) => text.padStart(widths[c] as number)).join(' | ')} |`;
  console.log(format(table[0] as string[]));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of table.slice(1)) console.log(format(line));
}

function runScenarios(cli: ScenarioCli): void {
  const rows: ScenarioRow[] = [];
  for (const options of cli.runs) {
    const label = `${options.scenario} N=${options.n} seed=${options.seed}`;
    const row = runScenario(options, (message) => process.stderr.write(`  ${label}: ${message}\n`));
    rows.push(row);
    if (cli.json) console.log(JSON.stringify(row));
    else process.stderr.write(`  done ${label} in ${row.wall_ms} ms\n`);
    if (!cli.json && row.traffic) console.log(`${label}, frames sent in the measured window:\n${formatTraffic(row.traffic, row.server_up_s ?? 0, row.server_down_s ?? 0)}\n`);
  }
  if (!cli.json) console.log(formatScenarioTable(rows));
}

function main(): void {
  let cli: Cli | ScenarioCli;
  const argv = process.argv.slice(2);
  try {
    cli = argv.includes('--scenario') ? parseScenarioArgs(argv) : parseArgs(argv);
  } catch (error) {
    console.error(`bench:sim: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  if ('runs' in cli) {
    runScenarios(cli);
    return;
  }
  const network = { latencyMs: 50 };
  const rows: BenchRow[] = [];
  for (const n of cli.ns) {
    for (const loss of cli.losses) {
      const options: RunOptions = { n, loss, seed: cli.seed, updates: cli.updates };
      for (const protocol of cli.protocols) {
        const row = protocol === 'gossip' ? runGossip(options, network) : runBaseline(protocol === 'flood' ? 'flood' : 'push', options, network);
        rows.push(row);
        if (cli.json) console.log(JSON.stringify(row));
        else process.stderr.write(`  done ${protocol} N=${n} loss=${loss} in ${row.wall_ms} ms\n`);
      }
    }
  }
  if (!cli.json) printTable(rows);
}

main();
