/**
 * `npm run bench:signal`: murmur's signaling server against y-webrtc's
 * (`node_modules/y-webrtc/bin/server.js`) under the same load, loopback only.
 *
 * For each server: start it as a child process, fork load workers, open
 * `--connections` WebSockets in rooms of `--room-size`, then
 *   1. light:    `--rate` addressed messages/s in total for `--light-seconds` → latency at equal offered load;
 *   2. saturate: `--window` messages in flight per connection, each delivery
 *                answered by a new one, for `--seconds` → relay throughput.
 * Reports connections held, msg/s delivered to their addressee, p50/p99
 * latency, RSS per connection (server RSS growth / connections) and the
 * server's CPU use. Everything stops by itself; nothing leaves 127.0.0.1.
 *
 *   npx tsx bench/signal.ts [--connections 2000] [--room-size 10] [--seconds 8]
 *       [--light-seconds 4] [--rate 2000] [--window 1] [--workers 1]
 *       [--servers murmur,y-webrtc] [--repeat 1] [--json] [--baseline DIR]
 *
 * --baseline DIR adds server 'murmur-baseline' (name it in --servers): the
 * murmur-signal of an older build extracted inside this repository, so the
 * two builds alternate in one run, e.g.
 *   mkdir -p .tmp/baseline && git archive <commit> bin signaling-server shared package.json | tar -x -C .tmp/baseline
 *
 * With --repeat N the servers alternate N times and each row is the run with
 * the median msg/s (a shared machine is noisy; alternating keeps it fair).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadSetup, PhaseReport, Protocol, ToWorker } from './signal-load.js';
import { cpuSeconds, rssKb, startServer, waitForHttp, Worker } from './signal-servers.js';
import { formatTable, LatencyHistogram } from './signal-stats.js';
import { freePort } from '../signaling-server/src/free-port.js';

interface BenchOptions {
  connections: number;
  roomSize: number;
  seconds: number;
  lightSeconds: number;
  rate: number;
  window: number;
  workers: number;
  servers: ServerName[];
  repeat: number;
  json: boolean;
  /** The tree 'murmur-baseline' runs from. */
  baseline: string | undefined;
}

/** A server to bench: murmur-baseline is murmur from the --baseline tree. */
type ServerName = Protocol | 'murmur-baseline';

export interface BenchResult {
  server: ServerName;
  connections: number;
  rooms: number;
  room_size: number;
  connect_failed: number;
  connect_s: number;
  msgs_per_s: number;
  frames_out_per_s: number;
  p50_ms: number;
  p99_ms: number;
  light_rate: number;
  light_p50_ms: number;
  light_p99_ms: number;
  rss_per_conn_kb: number;
  rss_mb: number;
  server_cpu_pct: number;
  /**
   * Addressed deliveries per second of server CPU (window + drain): what one
   * core of the server relays. Robust to neighbours stealing CPU, unlike msgs_per_s.
   */
  msgs_per_server_cpu_s: number;
  /** Sum over load workers, % of one core: near 100 per worker means the clients, not the server, set the pace. */
  loadgen_cpu_pct: number;
  /** 1-minute load average when the saturation phase ended: above the core count, neighbours were competing for CPU. */
  load_avg_1m: number;
  /** msgs_per_s of every run with --repeat; the row is the median run. */
  msgs_per_s_runs?: number[];
  /** rss_per_conn_kb of every run with --repeat, in run order (memory is not what picks the median row). */
  rss_per_conn_kb_runs?: number[];
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: '2000' },
      'room-size': { type: 'string', default: '10' },
      seconds: { type: 'string', default: '8' },
      'light-seconds': { type: 'string', default: '4' },
      rate: { type: 'string', default: '2000' },
      window: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      servers: { type: 'string', default: 'murmur,y-webrtc' },
      repeat: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      baseline: { type: 'string' },
    },
    strict: true,
  });
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return n;
  };
  const servers = values.servers.split(',').map((s) => s.trim());
  for (const s of servers) {
    if (s === 'murmur-baseline' && values.baseline === undefined) throw new Error("--servers: 'murmur-baseline' needs --baseline DIR");
    if (s !== 'murmur' && s !== 'y-webrtc' && s !== 'murmur-baseline') throw new Error(`--servers: unknown server '${s}'`);
  }
  return {
    // 18,000 keeps both sides under `ulimit -n` 20000 and the 28k ephemeral ports.
    connections: int('connections', values.connections, 2, 18_000),
    roomSize: int('room-size', values['room-size'], 2, 1000),
    seconds: int('seconds', values.seconds, 1, 120),
    lightSeconds: int('light-seconds', values['light-seconds'], 0, 120),
    rate: int('rate', values.rate, 1, 1_000_000),
    window: int('window', values.window, 1, 64),
    workers: int('workers', values.workers, 1, 8),
    servers: servers as ServerName[],
    repeat: int('repeat', values.repeat, 1, 9),
    json: values.json,
    baseline: values.baseline === undefined ? undefined : resolve(values.baseline),
  };
}


function sum(reports: PhaseReport[], key: 'sent' | 'delivered' | 'framesIn'): number {
  return reports.reduce((acc, r) => acc + r[key], 0);
}

async function runOne(name: ServerName, options: BenchOptions, log: (line: string) => void): Promise<BenchResult> {
  const protocol: Protocol = name === 'murmur-baseline' ? 'murmur' : name;
  const port = await freePort();
  const server = startServer(protocol, port, name === 'murmur-baseline' && options.baseline !== undefined ? { ...options, murmurRoot: options.baseline } : options);
  const workers: Worker[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${port}/${protocol === 'murmur' ? 'healthz' : ''}`, 20_000);
    const pid = server.pid ?? 0;
    const baselineKb = rssKb(pid);
    const url = protocol === 'murmur' ? `ws://127.0.0.1:${port}/signal` : `ws://127.0.0.1:${port}`;

    // Whole rooms per worker, so a message never crosses worker clocks.
    const rooms = Math.ceil(options.connections / options.roomSize);
    const roomsPerWorker = Math.ceil(rooms / options.workers);
    const setups: LoadSetup[] = [];
    for (let w = 0; w < options.workers; w++) {
      const first = w * roomsPerWorker * options.roomSize;
      const count = Math.min(options.connections, first + roomsPerWorker * options.roomSize) - first;
      if (count > 0) setups.push({ protocol, url, first, count, roomSize: options.roomSize, connectConcurrency: 128 });
    }
    for (let i = 0; i < setups.length; i++) workers.push(new Worker());

    log(`[${name}] connecting ${options.connections} clients in ${rooms} rooms…`);
    const connected = await Promise.all(workers.map((w, i) => w.request({ kind: 'setup', setup: setups[i] as LoadSetup }, 300_000)));
    let open = 0;
    let failed = 0;
    let connectMs = 0;
    for (const m of connected) {
      if (m.kind !== 'connected') throw new Error('unexpected worker reply');
      open += m.open;
      failed += m.failed;
      connectMs = Math.max(connectMs, m.ms);
    }
    const heldKb = rssKb(pid);
    log(`[${name}] ${open} open, ${failed} failed in ${(connectMs / 1000).toFixed(1)} s; server RSS ${(heldKb / 1024).toFixed(0)} MB`);

    const phase = async (name: 'light' | 'saturate', seconds: number) => {
      const cpuBefore = cpuSeconds(pid);
      const started = Date.now();
      const replies = await Promise.all(
        workers.map((w, i) =>
          w.request(
            { kind: 'phase', phase: name, durationMs: seconds * 1000, ratePerS: (options.rate * (setups[i]?.count ?? 0)) / options.connections, window: options.window },
            seconds * 1000 + 120_000,
          ),
        ),
      );
      const cpu = cpuSeconds(pid) - cpuBefore;
      const reports: PhaseReport[] = [];
      let stillOpen = 0;
      for (const m of replies) {
        if (m.kind !== 'phase-done') throw new Error('unexpected worker reply');
        reports.push(m.report);
        stillOpen += m.open;
      }
      const histogram = new LatencyHistogram();
      for (const r of reports) histogram.merge(r.histogram);
      const elapsed = Math.max(...reports.map((r) => r.elapsedMs)) / 1000;
      const withDrain = reports.reduce((acc, r) => acc + r.deliveredWithDrain, 0);
      return { reports, histogram, elapsed, stillOpen, cpuPct: (100 * cpu) / ((Date.now() - started) / 1000), perCpuS: cpu > 0 ? withDrain / cpu : 0 };
    };

    let light = { p50: Number.NaN, p99: Number.NaN };
    if (options.lightSeconds > 0) {
      log(`[${name}] light: ${options.rate} msg/s for ${options.lightSeconds} s…`);
      const l = await phase('light', options.lightSeconds);
      light = { p50: l.histogram.quantile(0.5), p99: l.histogram.quantile(0.99) };
    }
    log(`[${name}] saturate: window ${options.window} per connection for ${options.seconds} s…`);
    const s = await phase('saturate', options.seconds);
    const delivered = sum(s.reports, 'delivered');
    return {
      server: name,
      connections: s.stillOpen,
      rooms,
      room_size: options.roomSize,
      connect_failed: failed,
      connect_s: round(connectMs / 1000, 1),
      msgs_per_s: Math.round(delivered / s.elapsed),
      frames_out_per_s: Math.round(sum(s.reports, 'framesIn') / s.elapsed),
      p50_ms: round(s.histogram.quantile(0.5), 2),
      p99_ms: round(s.histogram.quantile(0.99), 2),
      light_rate: options.lightSeconds > 0 ? options.rate : 0,
      light_p50_ms: round(light.p50, 2),
      light_p99_ms: round(light.p99, 2),
      rss_per_conn_kb: round((heldKb - baselineKb) / Math.max(1, open), 1),
      rss_mb: Math.round(heldKb / 1024),
      server_cpu_pct: Math.round(s.cpuPct),
      msgs_per_server_cpu_s: Math.round(s.perCpuS),
      loadgen_cpu_pct: s.reports.reduce((acc, r) => acc + r.cpuPct, 0),
      load_avg_1m: round(loadavg()[0] ?? 0, 1),
    };
  } finally {
    // Server first, so it closes the TCP connections and the TIME_WAITs sit on its side, not on client ports.
    // SIGTERM lets murmur drain like in production (and lets --cpu-prof write); SIGKILL if it takes too long.
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 15_000);
    await new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
    clearTimeout(killer);
    for (const w of workers) {
      w.child.send({ kind: 'stop' } satisfies ToWorker);
      await new Promise((r) => {
        const timer = setTimeout(() => {
          w.child.kill('SIGKILL');
          r(null);
        }, 10_000);
        w.child.once('exit', () => {
          clearTimeout(timer);
          r(null);
        });
      });
    }
  }
}

function round(n: number, digits: number): number {
  return Number.isFinite(n) ? Number(n.toFixed(digits)) : n;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:signal: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  // Runs alternate between servers, so a noisy neighbour on a shared machine hits both alike.
  const runs = new Map<ServerName, BenchResult[]>();
  for (let round = 0; round < options.repeat; round++) {
    for (const protocol of options.servers) {
      const result = await runOne(protocol, options, log);
      log(
        `[${protocol}] run ${round + 1}/${options.repeat}: ${result.msgs_per_s} msg/s, server CPU ${result.server_cpu_pct}%, ` +
          `${result.msgs_per_server_cpu_s} msg per server CPU-s, RSS/conn ${result.rss_per_conn_kb} KB, load avg ${result.load_avg_1m}`,
      );
      runs.set(protocol, [...(runs.get(protocol) ?? []), result]);
    }
  }
  const results: BenchResult[] = [];
  for (const protocol of options.servers) {
    const all = runs.get(protocol) ?? [];
    const sorted = [...all].sort((a, b) => a.msgs_per_s - b.msgs_per_s);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as BenchResult;
    const result =
      options.repeat > 1 ? { ...median, msgs_per_s_runs: all.map((r) => r.msgs_per_s), rss_per_conn_kb_runs: all.map((r) => r.rss_per_conn_kb) } : median;
    results.push(result);
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  const murmur = results.find((r) => r.server === 'murmur');
  const yWebrtc = results.find((r) => r.server === 'y-webrtc');
  const ratios =
    murmur && yWebrtc
      ? {
          throughput: round(murmur.msgs_per_s / yWebrtc.msgs_per_s, 2),
          per_server_cpu_s: round(murmur.msgs_per_server_cpu_s / yWebrtc.msgs_per_server_cpu_s, 2),
          p99: round(murmur.p99_ms / yWebrtc.p99_ms, 2),
          rss_per_conn: round(murmur.rss_per_conn_kb / yWebrtc.rss_per_conn_kb, 2),
        }
      : undefined;
  if (options.json) {
    if (ratios) log(`ratios murmur/y-webrtc: ${JSON.stringify(ratios)}`);
    return;
  }
  const header = ['server', 'connections', 'rooms×size', 'msg/s', 'p50 ms', 'p99 ms', `p50/p99 ms @${options.rate}/s`, 'frames out/s', 'RSS/conn KB', 'server CPU %', 'msg per server CPU-s', 'clients CPU %', 'load avg'];
  const rows = results.map((r) => [
    r.server,
    r.connections,
    `${r.rooms}×${r.room_size}`,
    r.msgs_per_s,
    r.p50_ms,
    r.p99_ms,
    `${r.light_p50_ms} / ${r.light_p99_ms}`,
    r.frames_out_per_s,
    r.rss_per_conn_kb,
    r.server_cpu_pct,
    r.msgs_per_server_cpu_s,
    r.loadgen_cpu_pct,
    r.load_avg_1m,
  ]);
  process.stdout.write(`${formatTable(header, rows)}\n`);
  if (ratios) {
    process.stdout.write(
      `\nmurmur / y-webrtc: throughput ×${ratios.throughput}, per server CPU-second ×${ratios.per_server_cpu_s}, ` +
        `p99 latency ×${ratios.p99}, RSS per connection ×${ratios.rss_per_conn}\n`,
    );
  }
  if (options.repeat > 1) {
    for (const r of results) {
      const kb = [...(r.rss_per_conn_kb_runs ?? [])].sort((a, b) => a - b);
      process.stdout.write(`\n${r.server} RSS/conn KB over ${kb.length} runs: min ${kb[0]} / median ${kb[Math.floor((kb.length - 1) / 2)]} / max ${kb[kb.length - 1]}`);
    }
    process.stdout.write('\n');
  }
  process.stdout.write(
    '\nmsg/s: addressed messages delivered to their addressee per second (closed loop, ' +
      `${options.window} in flight per connection); frames out/s counts y-webrtc's broadcast copies too.\n`,
  );
}

await main();
