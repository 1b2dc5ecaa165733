/**
 * What bench/signal.ts and bench/signal-heap.ts share: starting either
 * server as a child process, the load workers, and reading a process's RSS
 * and CPU from /proc.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, Protocol, ToWorker } from './signal-load.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The load a server is started for: murmur's limits are raised to carry it. */
export interface ServerLoad {
  connections: number;
  roomSize: number;
  /** murmur only: check room tokens signed with this secret (clients then need one). */
  authSecret?: string;
  /** murmur only: run the murmur-signal of this tree (an older build, see bench/signal.ts --baseline) instead of this one. */
  murmurRoot?: string;
}

export function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D/g, '') ?? 0);
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

export async function waitForHttp(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.text();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`server at ${url} did not come up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Start `protocol`'s server on `port` as a child process. `nodeArgs` go to
 * node before the script (e.g. --heapsnapshot-signal for bench/signal-heap.ts).
 */
export function startServer(protocol: Protocol, port: number, options: ServerLoad, nodeArgs: readonly string[] = []): ChildProcess {
  if (protocol === 'y-webrtc') {
    return spawn(process.execPath, [...nodeArgs, join(ROOT, 'node_modules/y-webrtc/bin/server.js')], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  // y-webrtc has no limits, so murmur's are raised to not throttle an equal load;
  // the checks themselves still run on every frame.
  const args = [
    join(options.murmurRoot ?? ROOT, 'bin/murmur-signal.js'),
    '--port', String(port),
    '--max-connections', String(options.connections + 100),
    // Every bench client dials from 127.0.0.1: lift the per-address caps with the instance cap.
    '--max-connections-per-ip', String(options.connections + 100),
    '--max-room-slots-per-ip', String(options.connections + 100),
    '--max-peers-per-room', String(Math.max(options.roomSize, 1000)),
    '--rate-limit', '1000000',
    '--rate-burst', '1000000',
    '--log-level', 'warn',
    // One token for every bench client: lift the per-token caps too.
    ...(options.authSecret === undefined
      ? []
      : ['--auth-secret', options.authSecret, '--max-connections-per-token', String(options.connections + 100), '--max-room-slots-per-token', String(options.connections + 100)]),
  ];
  // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile murmur under load.
  const envArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  return spawn(process.execPath, [...envArgs, ...nodeArgs, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A forked bench/signal-load.ts, spoken to one request at a time. */
export class Worker {
  readonly child: ChildProcess;
  private waiting: ((m: FromWorker) => void) | undefined;
  private readonly inbox: FromWorker[] = [];

  constructor() {
    this.child = fork(join(ROOT, 'bench/signal-load.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: FromWorker) => {
      if (this.waiting) {
        const wake = this.waiting;
        this.waiting = undefined;
        wake(m);
      } else this.inbox.push(m);
    });
  }

  async request(message: ToWorker, timeoutMs: number): Promise<FromWorker> {
    this.child.send(message);
    const queued = this.inbox.shift();
    if (queued) return queued;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker did not answer '${message.kind}' in ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (m) => {
        clearTimeout(timer);
        if (m.kind === 'error') reject(new Error(`load worker: ${m.message}`));
        else resolve(m);
      };
    });
  }
}
