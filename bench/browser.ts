/**
 * Browser benchmark: murmur against y-webrtc in the same Chromium, on the same
 * machine, in the same run, with a raw data channel as the floor.
 *
 *   npm run bench:browser                      # N = 4, 8, 12; a table
 *   npm run bench:browser -- --json            # one JSON object per line per system and N
 *   npm run bench:browser -- --n 4 --updates 20 --systems murmur
 *
 * Progress goes to stderr; the table or the JSON lines to stdout.
 */
import { chromium } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';
import { buildBenchPages } from './browser-pages.js';
import { runFloor, runScenario } from './browser-run.js';
import { startMurmurSignaling, startStaticServer, startYWebrtcSignaling } from './browser-servers.js';
import { formatTable, ratio, type BenchRow } from './browser-stats.js';
import { buildAll } from '../scripts/build.js';

const KILLED_DEADLINE_MS = 45_000;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    n: { type: 'string', default: '4,8,12' },
    systems: { type: 'string', default: 'murmur,y-webrtc' },
    updates: { type: 'string', default: '40' },
    'gap-ms': { type: 'string', default: '100' },
    'skip-build': { type: 'boolean', default: false },
  },
});

const sizes = values.n.split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 4 || n > 32)) {
  throw new Error(`--n must be a comma-separated list of integers from 4 to 32 (a kill and two closes need 4), got ${values.n}`);
}
const systems = values.systems.split(',').map((s) => s.trim());
for (const system of systems) {
  if (system !== 'murmur' && system !== 'y-webrtc') throw new Error(`--systems takes murmur and/or y-webrtc, got ${system}`);
}
const updates = Number(values.updates);
const gapMs = Number(values['gap-ms']);
const log = (line: string) => process.stderr.write(`${line}\n`);

let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
if (!values['skip-build']) await buildAll();
await buildBenchPages();
const loadAtStart = loadavg()[0]!.toFixed(1);
const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
const chromiumVersion = browser.version();
const statics = await startStaticServer();
const rows: BenchRow[] = [];
const emit = (row: BenchRow) => {
  rows.push(row);
  if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
};
try {
  log(`chromium ${browser.version()}, node ${process.version}, ${cpus().length} cpus, load average ${loadavg()[0]!.toFixed(1)}`);
  // A throwaway floor: the first data channels after launch are slow (JIT, cold caches) and would flatter the ratios.
  await runFloor(browser, statics.baseUrl, 100, 10, 0);
  for (const n of sizes) {
    // The floor is measured again before each room size, so it shares the browser's state (warm, loaded) with the rows it scales.
    const floor = await runFloor(browser, statics.baseUrl, 300, 20, 50);
    floor.n = n;
    log(`floor before n=${n}: one-way p50/p99 ${floor.presence_p50_ms}/${floor.presence_p99_ms} ms, rtt ${floor.rtt_p50_ms}/${floor.rtt_p99_ms} ms`);
    emit(floor);
    for (const system of systems as Array<'murmur' | 'y-webrtc'>) {
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
        emit(row);
      } finally {
        await signaling.stop();
        log(`  ${system} n=${n} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    }
  }
} finally {
  await browser.close();
  await statics.close();
}

if (!values.json) {
  process.stdout.write(`${formatTable(rows, KILLED_DEADLINE_MS)}\n`);
  process.stdout.write(`\n${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · node ${process.version} · chromium ${chromiumVersion} · load average ${loadAtStart} at start, ${loadavg()[0]!.toFixed(1)} at end${commit ? ` · ${commit}` : ''}\n`);
  for (const row of rows) for (const note of row.notes) process.stdout.write(`note (${row.system} n=${row.n}): ${note}\n`);
  const lost = rows.filter((r) => r.lost > 0).map((r) => `${r.system} n=${r.n}: ${r.lost}/${r.expected}`);
  if (lost.length > 0) process.stdout.write(`receipts lost: ${lost.join('; ')}\n`);
}
