/**
 * `npm run bench:swarm`: many Node peers (murmur-mesh/node over @roamhq/wrtc)
 * in one room, spread over several processes the way a Playwright or load-test
 * user runs them, introduced by the real `murmur-signal` server (its own
 * process). Per run: how long until every peer sees all the others, then a
 * watch: does the room stay whole, does anyone hold a live peer dead, how few
 * links does the weakest peer keep.
 *
 *   npm run bench:swarm -- [--peers 60] [--processes 6] [--runs 1] [--watch-s 120]
 *                          [--converge-timeout-s 180] [--max-links N] [--stun default|none] [--json]
 *
 * converged_ms counts from the moment every process has called joinRoom for
 * all its peers (process start-up is not the library's). Every peer stays up
 * for the whole run, so any dead verdict is a false one.
 *
 * Each peer process reports its open file descriptors at every sample and
 * classifies them at the end of the join phase and at the end of the run,
 * with the RTCPeerConnections it made and closed: each holds sockets until
 * closed, so open connections should follow the live links, not history.
 *
 * MURMUR_SWARM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes Node
 * flags to the peer processes (NODE_OPTIONS refuses --cpu-prof).
 */
import { randomBytes } from 'node:crypto';
import { startSignalProcess } from '../signaling-server/src/signal-process.js';
import { spawnNodePeers, type NodePeers, type NodePeerStatus, type NodeProcessStatus } from '../e2e/support/node-peers.js';
import type { OpenFds } from '../e2e/support/open-fds.js';
import { parseSwarmArgs, type SwarmCli } from './swarm-options.js';

/** One row of `--json`. */
export interface SwarmRow {
  run: number;
  /** 'default' (the library's public STUN servers) or 'none'. */
  stun: 'default' | 'none';
  peers: number;
  processes: number;
  /** ms from the last joinRoom call until every peer saw all others; null if it never did within --converge-timeout-s. */
  converged_ms: number | null;
  /** Dead verdicts ("peer-leave" with reason 'dead') about peers that were up, over the run, all observers. */
  false_dead: number;
  /** Distinct (observer, subject) pairs among them. */
  false_dead_pairs: number;
  /** Fewest open links any peer held at a sample after convergence (during the watch). */
  min_links: number | null;
  /** Seconds of the watch during which every sample found the room whole (= watch_s when it never broke). */
  whole_for_s: number;
  watch_s: number;
  /** Samples of the watch that found someone missing someone. */
  broken_samples: number;
  /** What was wrong at the first bad sample (or at the convergence deadline), for the record. */
  first_problem: string | null;
  /** Engine messages sent per peer per second during the watch (the design's budget: ≤ 2). */
  msgs_per_peer_per_s: number | null;
  /** Worst lateness of a 100 ms timer in any peer process during the run, ms: how starved the CPUs were. */
  timer_lag_max_ms: number;
  /** Most open file descriptors any peer process held at any sample of the run (null off Linux). */
  fds_max: number | null;
  /** Most any process held at the end of the join phase (convergence, or its deadline) and at the end of the run. */
  fds_join_max: number | null;
  fds_end_max: number | null;
  /** The fds of the process holding most at the end of the run, classified. */
  fds_end_worst: OpenFds | null;
  /** RTCPeerConnections made over the run, all processes, and still open at its end (made − closed). */
  pcs_created: number;
  pcs_open_end: number;
  /** Open links at the end of the run, counted at both ends (what pcs_open_end should track). */
  links_end: number;
  wall_ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Who lacks whom, or null when every peer sees every other. */
function missing(statuses: readonly NodePeerStatus[], ids: readonly string[]): string | null {
  const problems: string[] = [];
  for (const status of statuses) {
    const seen = new Set(status.peers);
    const lacks = ids.filter((id) => id !== status.selfId && !seen.has(id));
    if (lacks.length > 0) {
      const records = lacks.map((id) => `${id}:${status.members[id] ?? 'unknown'}`).join(',');
      problems.push(`${status.selfId} (links ${status.links}) lacks ${lacks.length} [${records}]`);
    }
  }
  return problems.length === 0 ? null : `${problems.length} peers incomplete: ${problems.slice(0, 6).join('; ')}${problems.length > 6 ? '; …' : ''}`;
}

const execArgv = (process.env.MURMUR_SWARM_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** Worst timer lateness any process saw since the run began (CPU starvation). */
let lagMax = 0;
/** Most open fds any process held at a sample since the run began. */
let fdsMax: number | null = null;
/** Each process's figures at the latest sample. */
let processes: NodeProcessStatus[] = [];

async function statusOfAll(groups: readonly NodePeers[], options?: { fds?: boolean }): Promise<NodePeerStatus[]> {
  const samples = await Promise.all(groups.map((g) => g.sample(options)));
  processes = samples.map((sample) => sample.process);
  for (const { lagMaxMs, fds } of processes) {
    lagMax = Math.max(lagMax, lagMaxMs ?? 0);
    if (typeof fds === 'number') fdsMax = Math.max(fdsMax ?? 0, fds);
  }
  return samples.flatMap((sample) => sample.peers);
}

/** The most fds any process holds at the latest sample, and that process's classified fds. */
function fdsNow(): { max: number | null; worst: OpenFds | null } {
  let worst: NodeProcessStatus | null = null;
  for (const p of processes) if (typeof p.fds === 'number' && (worst === null || p.fds > (worst.fds ?? 0))) worst = p;
  return { max: worst?.fds ?? null, worst: worst?.openFds ?? null };
}

const fdSummary = (fds: OpenFds | null) =>
  fds === null ? 'unknown' : `${fds.total} fds, ${fds.sockets} sockets (udp ${fds.udp}, tcp listen ${fds.tcpListen}, established ${fds.tcpEstablished}, close-wait ${fds.tcpCloseWait}, other ${fds.tcpOther})`;

/** RTCPeerConnections made and still open, summed over processes at the latest sample. */
function pcsNow(): { created: number; open: number } {
  let created = 0;
  let open = 0;
  for (const { pcs } of processes) {
    created += pcs?.created ?? 0;
    open += (pcs?.created ?? 0) - (pcs?.closed ?? 0);
  }
  return { created, open };
}

const msgsOut = (statuses: readonly NodePeerStatus[]) => statuses.reduce((sum, s) => sum + (s.stats?.msgsOut ?? 0), 0);

function deadCounts(statuses: readonly NodePeerStatus[]): { verdicts: number; pairs: number } {
  let verdicts = 0;
  let pairs = 0;
  for (const status of statuses) {
    for (const n of Object.values(status.deadVerdicts ?? {})) {
      verdicts += n;
      pairs += 1;
    }
  }
  return { verdicts, pairs };
}

async function runOnce(cli: SwarmCli, run: number, log: (line: string) => void): Promise<SwarmRow> {
  const wallStart = Date.now();
  lagMax = 0;
  fdsMax = null;
  processes = [];
  const server = await startSignalProcess(['--port', '0', '--host', '127.0.0.1']);
  const groups: NodePeers[] = [];
  try {
    const room = `swarm-${randomBytes(4).toString('hex')}`;
    const perProcess = cli.peers / cli.processes;
    const spawned = await Promise.all(
      Array.from({ length: cli.processes }, (_, k) =>
        spawnNodePeers({ room, signaling: server.url, count: perProcess, prefix: `r${run}p${k}`, maxLinks: cli.maxLinks, execArgv, callTimeoutMs: 180_000, rtcConfig: cli.stun === 'none' ? { iceServers: [] } : undefined }),
      ),
    );
    groups.push(...spawned);
    const joinedAt = Date.now();
    const ids = groups.flatMap((g) => g.ids);
    log(`run ${run}: ${ids.length} peers in ${groups.length} processes joined ${room} (start-up ${joinedAt - wallStart} ms)`);

    let converged_ms: number | null = null;
    let statuses: NodePeerStatus[] = [];
    let problem: string | null = null;
    const convergeDeadline = joinedAt + cli.convergeTimeoutS * 1000;
    let nextProgress = joinedAt + 10_000;
    for (;;) {
      statuses = await statusOfAll(groups);
      problem = missing(statuses, ids);
      if (Date.now() >= nextProgress) {
        nextProgress += 10_000;
        const seen = statuses.map((s) => s.peers.length).sort((a, b) => a - b);
        const dead = deadCounts(statuses).verdicts;
        log(`run ${run}: ${Math.round((Date.now() - joinedAt) / 1000)} s: fewest seen ${seen[0]}, median ${seen[seen.length >> 1]}, dead verdicts ${dead}, timer lag max ${lagMax} ms, links ${Math.min(...statuses.map((s) => s.links))}..${Math.max(...statuses.map((s) => s.links))}`);
      }
      if (problem === null) {
        converged_ms = Date.now() - joinedAt;
        break;
      }
      if (Date.now() > convergeDeadline) break;
      await sleep(500);
    }
    statuses = await statusOfAll(groups, { fds: true });
    const atJoin = fdsNow();
    const pcsAtJoin = pcsNow();
    log(`run ${run}: end of join phase: most fds in a process ${fdSummary(atJoin.worst)}; connections made ${pcsAtJoin.created}, open ${pcsAtJoin.open}, links ${statuses.reduce((sum, s) => sum + s.links, 0)}`);
    const totals: Record<string, number> = {};
    for (const status of statuses) for (const [k, v] of Object.entries(status.stats ?? {})) totals[k] = (totals[k] ?? 0) + v;
    log(`run ${run}: engine totals so far: ${Object.entries(totals).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    log(converged_ms === null ? `run ${run}: not converged in ${cli.convergeTimeoutS} s: ${problem}` : `run ${run}: converged in ${converged_ms} ms`);

    let whole_for_s = 0;
    let broken = 0;
    let minLinks: number | null = null;
    let firstProblem = converged_ms === null ? problem : null;
    let rate: number | null = null;
    if (converged_ms !== null) {
      const watchStart = Date.now();
      const sentBefore = msgsOut(statuses);
      let stillWhole = true;
      while (Date.now() - watchStart < cli.watchS * 1000) {
        await sleep(2000);
        statuses = await statusOfAll(groups);
        const sampleProblem = missing(statuses, ids);
        for (const status of statuses) minLinks = Math.min(minLinks ?? Infinity, status.links);
        if (sampleProblem !== null) {
          broken += 1;
          if (stillWhole) {
            stillWhole = false;
            whole_for_s = Math.round((Date.now() - watchStart) / 1000);
            firstProblem = sampleProblem;
            log(`run ${run}: room not whole after ${whole_for_s} s of the watch: ${sampleProblem}`);
          }
        }
      }
      if (stillWhole) whole_for_s = cli.watchS;
      const watched = (Date.now() - watchStart) / 1000;
      if (watched > 0) rate = Math.round(((msgsOut(statuses) - sentBefore) / ids.length / watched) * 10) / 10;
    }
    statuses = await statusOfAll(groups, { fds: true });
    const atEnd = fdsNow();
    const pcsAtEnd = pcsNow();
    const linksEnd = statuses.reduce((sum, s) => sum + s.links, 0);
    log(`run ${run}: end of run: most fds in a process ${fdSummary(atEnd.worst)}; connections made ${pcsAtEnd.created}, open ${pcsAtEnd.open}, links ${linksEnd}`);
    const dead = deadCounts(statuses);
    if (dead.verdicts > 0) {
      const examples = statuses
        .filter((s) => Object.keys(s.deadVerdicts ?? {}).length > 0)
        .slice(0, 4)
        .map((s) => `${s.selfId} held dead ${JSON.stringify(s.deadVerdicts)}`)
        .join('; ');
      log(`run ${run}: ${dead.verdicts} false dead verdicts: ${examples}`);
    }
    return {
      run,
      stun: cli.stun,
      peers: ids.length,
      processes: groups.length,
      converged_ms,
      false_dead: dead.verdicts,
      false_dead_pairs: dead.pairs,
      min_links: minLinks,
      whole_for_s,
      watch_s: cli.watchS,
      broken_samples: broken,
      first_problem: firstProblem,
      msgs_per_peer_per_s: rate,
      timer_lag_max_ms: lagMax,
      fds_max: fdsMax,
      fds_join_max: atJoin.max,
      fds_end_max: atEnd.max,
      fds_end_worst: atEnd.worst,
      pcs_created: pcsAtEnd.created,
      pcs_open_end: pcsAtEnd.open,
      links_end: linksEnd,
      wall_ms: Date.now() - wallStart,
    };
  } finally {
    await Promise.all(groups.map((g) => g.leave().catch(() => {})));
    await server.kill();
  }
}

function table(rows: readonly SwarmRow[]): string {
  const head = ['run', 'peers', 'procs', 'converged_ms', 'false_dead', 'min_links', 'whole_for_s', 'broken', 'msg/peer/s', 'lag_max_ms', 'fds_max', 'pcs_open/links'];
  const body = rows.map((r) =>
    [r.run, r.peers, r.processes, r.converged_ms ?? 'never', r.false_dead, r.min_links ?? '-', `${r.whole_for_s}/${r.watch_s}`, r.broken_samples, r.msgs_per_peer_per_s ?? '-', r.timer_lag_max_ms, r.fds_max ?? '-', `${r.pcs_open_end}/${r.links_end}`].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  return [head, ...body].map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  let cli: SwarmCli;
  try {
    cli = parseSwarmArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:swarm: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const rows: SwarmRow[] = [];
  for (let run = 1; run <= cli.runs; run++) {
    // A peer process that stops answering (a frozen event loop) fails its run, not the benchmark.
    const row = await runOnce(cli, run, log).catch((error: Error): SwarmRow => {
      log(`run ${run}: failed: ${error.message.split('\n')[0]}`);
      return {
        run,
        stun: cli.stun,
        peers: cli.peers,
        processes: cli.processes,
        converged_ms: null,
        false_dead: 0,
        false_dead_pairs: 0,
        min_links: null,
        whole_for_s: 0,
        watch_s: cli.watchS,
        broken_samples: 0,
        first_problem: `run failed: ${error.message.split('\n')[0]}`,
        msgs_per_peer_per_s: null,
        timer_lag_max_ms: lagMax,
        fds_max: fdsMax,
        fds_join_max: null,
        fds_end_max: null,
        fds_end_worst: null,
        pcs_created: pcsNow().created,
        pcs_open_end: pcsNow().open,
        links_end: 0,
        wall_ms: 0,
      };
    });
    rows.push(row);
    if (cli.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  }
  if (!cli.json) process.stdout.write(`${table(rows)}\n`);
  else process.stderr.write(`${table(rows)}\n`);
  const ok = rows.filter((r) => r.converged_ms !== null && r.converged_ms <= 30_000 && r.whole_for_s === r.watch_s && r.false_dead === 0).length;
  process.stderr.write(`${ok} of ${rows.length} runs: everyone saw all ${cli.peers - 1} others within 30 s, whole for ${cli.watchS} s, no false dead verdict\n`);
}

await main();
