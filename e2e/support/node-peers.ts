/**
 * Spawns node-peer-process.ts and talks to it: `status()`, `updatePresence()`,
 * `leave()`. Used by e2e specs that mix browser tabs and Node peers.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OpenFds } from './open-fds.js';

export interface NodePeerStatus {
  selfId: string;
  peers: string[];
  links: number;
  presence: Record<string, Record<string, unknown>>;
  /** This peer's own incarnation and its active neighbours (engine snapshot). */
  incarnation: number;
  active: string[];
  /** Links asked for and not yet answered, and every open WebRTC link (some may be in a handshake). */
  pending: string[];
  openLinks: string[];
  /** The engine's record of each member, "status@incarnation". */
  members: Record<string, string>;
  /** The engine's counters (msgsOut, resends, probeFailures, refutations…). */
  stats?: Record<string, number>;
  /** Members this peer dropped as dead since it joined, with how often. */
  deadVerdicts?: Record<string, number>;
}

/** The process as a whole since the previous sample: its worst timer lateness and CPU time used. */
export interface NodeProcessStatus {
  lagMaxMs: number;
  cpuMs: number;
  /** Open file descriptors now (null off Linux). */
  fds: number | null;
  /** RTCPeerConnections made and closed in the process so far. */
  pcs: { created: number; closed: number };
  /** Every fd classified, when sample() was asked for it. */
  openFds?: OpenFds | null;
}

export interface NodePeers {
  ids: string[];
  status(): Promise<NodePeerStatus[]>;
  /** status() with the process's own figures (`fds`: with every fd classified too). */
  sample(options?: { fds?: boolean }): Promise<{ process: NodeProcessStatus; peers: NodePeerStatus[] }>;
  updatePresence(patch: Record<string, unknown>): Promise<void>;
  leave(): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));

export async function spawnNodePeers(options: {
  room: string;
  signaling: string;
  count: number;
  prefix: string;
  maxLinks?: number;
  /** Extra Node flags for the child (e.g. --cpu-prof to find what starves it). */
  execArgv?: readonly string[];
  /** RTCConfiguration for every peer (default: the library's, with public STUN servers). */
  rtcConfig?: RTCConfiguration;
  /** How long a command may take to be answered. Default 30,000 ms. */
  callTimeoutMs?: number;
}): Promise<NodePeers> {
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MURMUR_ROOM: options.room,
    MURMUR_SIGNALING: options.signaling,
    MURMUR_COUNT: String(options.count),
    MURMUR_PREFIX: options.prefix,
  };
  if (options.maxLinks !== undefined) env.MURMUR_MAX_LINKS = String(options.maxLinks);
  if (options.rtcConfig !== undefined) env.MURMUR_RTC_CONFIG = JSON.stringify(options.rtcConfig);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', join(here, 'node-peer-process.ts')], {
    env,
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let ready: (ids: string[]) => void;
  const readyPromise = new Promise<string[]>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // a library's stray log line, not a reply
    }
    if (message.ready) ready(message.peers as string[]);
    const wake = waiting.get(message.id as number);
    if (wake) {
      waiting.delete(message.id as number);
      wake(message);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  const call = (cmd: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // Generous: twenty WebRTC peers share two cores with the browser under test.
      const timer = setTimeout(() => reject(new Error(`node peers did not answer '${cmd}' in ${callTimeoutMs} ms; stderr: ${stderr}`)), callTimeoutMs);
      waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.stdin.write(`${JSON.stringify({ id, cmd, ...extra })}\n`);
    });
  };
  const ids = await Promise.race([
    readyPromise,
    exited.then(() => {
      throw new Error(`node peer process exited early: ${stderr}`);
    }),
  ]);
  return {
    ids,
    status: async () => (await call('status')).peers as NodePeerStatus[],
    sample: async (sampleOptions) => {
      const reply = await call('status', sampleOptions?.fds ? { fds: true } : {});
      return { process: reply.process as NodeProcessStatus, peers: reply.peers as NodePeerStatus[] };
    },
    updatePresence: async (patch) => {
      await call('presence', { patch });
    },
    leave: async () => {
      if (child.exitCode === null) {
        await call('leave').catch(() => child.kill('SIGKILL'));
        await exited;
      }
    },
  };
}
