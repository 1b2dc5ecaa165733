/**
 * Browser benchmark: murmur against y-webrtc in the same Chromium, on the same
 * machine, in the same run, with a raw data channel as the floor.
 *
 *   npm run bench:browser                      # N = 4, 8, 12; a table
 *   npm run bench:browser -- --json            # one JSON object per line per system and N
 *   npm run bench:browser -- --n 4 --updates 20 --systems murmur
 *   npm run bench:browser -- --repeat 3        # each system 3 times per N, alternating; min / median / max
 *
 * Progress goes to stderr; the table or the JSON lines to stdout.
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';
import { buildBenchPages } from './browser-pages.js';
import { runFloor, runScenario } from './browser-run.js';
import { startMurmurSignaling, startStaticServer, startYWebrtcSignaling } from './browser-servers.js';
import { parseBrowserOptions, type BrowserBenchOptions } from './browser-options.js';
import { aggregateRuns, formatRepeatedTable, type RepeatedRow } from './browser-repeat.js';
import { ratio, type BenchRow } from './browser-stats.js';
import { buildAll } from '../scripts/build.js';

const KILLED_DEADLINE_MS = 45_000;

let options: BrowserBenchOptions;
try {
  options = parseBrowserOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench:browser: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const { sizes, systems, updates, gapMs, repeat } = options;
const log = (line: string) => process.stderr.write(`${line}\n`);

let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
if (!options.skipBuild) await buildAll();
await buildBenchPages();
const loadAtStart = loadavg()[0]!.toFixed(1);
const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
const chromiumVersion = browser.version();
const statics = await startStaticServer();
const rows: RepeatedRow[] = [];
const emit = (runs: readonly BenchRow[]) => {
  const row = aggregateRuns(runs);
  rows.push(row);
  if (options.json) process.stdout.write(`${JSON.stringify(row)}\n`);
};
try {
  log(`chromium ${browser.version()}, node ${process.version}, ${cpus().length} cpus, load average ${loadavg()[0]!.toFixed(1)}`);
  // A throwaway floor: the first data channels after launch are slow (JIT, cold caches) and would flatter the ratios.
  await runFloor(browser, statics.baseUrl, 100, 10, 0);
  for (const n of sizes) {
    const floors: BenchRow[] = [];
    const runsOf = new Map(systems.map((system) => [system, [] as BenchRow[]]));
    // Runs alternate (floor, murmur, y-webrtc, floor, murmur, …) so that drift on a shared machine hits every system alike.
    for (let run = 1; run <= repeat; run++) {
      const label = repeat > 1 ? ` (run ${run}/${repeat})` : '';
      // The floor is measured again before each run, so it shares the browser's state (warm, loaded) with the rows it scales.
      const floor = await runFloor(browser, statics.baseUrl, 300, 20, 50);
      floor.n = n;
      log(`floor before n=${n}${label}: one-way p50/p99 ${floor.presence_p50_ms}/${floor.presence_p99_ms} ms, rtt ${floor.rtt_p50_ms}/${floor.rtt_p99_ms} ms`);
      floors.push(floor);
      for (const system of systems) {
        const signaling = system === 'murmur' ? await startMurmurSignaling() : await startYWebrtcSignaling();
        const started = Date.now();
        try {
          const row = await runScenario({
            browser,
            system,
            n,
            baseUrl: statics.baseUrl,
            signaling,
            updates,
            gapMs,
            joinDeadlineMs: 60_000,
            killedDeadlineMs: KILLED_DEADLINE_MS,
            repairDeadlineMs: 20_000,
            log,
          });
          row.presence_p99_vs_floor = ratio(row.presence_p99_ms, floor.presence_p99_ms);
          runsOf.get(system)!.push(row);
        } finally {
          await signaling.stop();
          log(`  ${system} n=${n}${label} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
        }
      }
    }
    emit(floors);
    for (const runs of runsOf.values()) emit(runs);
  }
} finally {
  await browser.close();
  await statics.close();
}

if (!options.json) {
  process.stdout.write(`${formatRepeatedTable(rows, KILLED_DEADLINE_MS)}\n`);
  process.stdout.write(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · node ${process.version} · chromium ${chromiumVersion} · load average ${loadAtStart} at start, ${loadavg()[0]!.toFixed(1)} at end${commit ? ` · ${commit}` : ''}\n`);
  for (const row of rows) for (const note of row.notes) process.stdout.write(`note (${row.system} n=${row.n}): ${note}\n`);
  // Any run's loss is worth a line, not just the median run's.
  const lost = rows
    .filter((r) => (r.lost_max ?? 0) > 0)
    .map((r) => (r.runs === 1 ? `${r.system} n=${r.n}: ${r.lost}/${r.expected}` : `${r.system} n=${r.n}: median ${r.lost}/${r.expected}, max ${r.lost_max}`));
  if (lost.length > 0) process.stdout.write(`receipts lost: ${lost.join('; ')}\n`);
}
