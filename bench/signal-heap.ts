/**
 * What one connection costs each server's V8 heap, object by object: start
 * the server (as bench:signal does), take a heap snapshot, open
 * `--connections` joined clients, take another, and print the live objects
 * the clients added, per connection, grouped by kind and constructor. The
 * heap, not RSS: RSS drifts with allocator and GC timing, the snapshot counts
 * what is still reachable after a full GC.
 *
 *   npx tsx bench/signal-heap.ts [--connections 2000] [--room-size 10]
 *       [--servers murmur,y-webrtc] [--top 25] [--tokens]
 *
 * --tokens: murmur checks room tokens and every client carries one that
 * expires in an hour (as a deployment with `authSecret` runs).
 *
 * SIGNAL_HEAP_KEEP=1 keeps the two snapshots (for Chrome DevTools' comparison view).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Protocol } from './signal-load.js';
import { formatTable } from './signal-stats.js';
import { rssKb, startServer, waitForHttp, Worker } from './signal-servers.js';
import { freePort } from '../signaling-server/src/free-port.js';
import { createRoomToken } from '../signaling-server/src/room-token.js';

const TOKEN_SECRET = 'bench-signal-heap-secret';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** "kind name" → [count, self bytes] over every node of a snapshot. */
function tally(path: string): Map<string, [number, number]> {
  const heap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const kinds = heap.snapshot.meta.node_types[0];
  const stride = fields.length;
  const at = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < heap.nodes.length; i += stride) {
    const kind = kinds[heap.nodes[i + at.type] as number] ?? '?';
    // Strings and code are grouped by kind alone: their "names" are their contents.
    const named = kind === 'object' || kind === 'closure' || kind === 'native' || kind === 'hidden' || kind === 'array' || kind === 'object shape';
    const key = named ? `${kind} ${heap.strings[heap.nodes[i + at.name] as number] ?? '?'}` : kind;
    const entry = out.get(key) ?? [0, 0];
    entry[0] += 1;
    entry[1] += heap.nodes[i + at.size] as number;
    out.set(key, entry);
  }
  return out;
}

async function snapshot(pid: number, dir: string, healthUrl: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  // The server writes the snapshot synchronously: once it answers HTTP again, the file is complete.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const fresh = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (fresh !== undefined) {
      await waitForHttp(healthUrl, 60_000);
      return join(dir, fresh);
    }
  }
  throw new Error('no heap snapshot within 60 s');
}

async function measure(protocol: Protocol, connections: number, roomSize: number, top: number, tokens: boolean, log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'signal-heap-'));
  const port = await freePort();
  const auth = tokens && protocol === 'murmur';
  const server = startServer(protocol, port, { connections, roomSize, ...(auth ? { authSecret: TOKEN_SECRET } : {}) }, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`]);
  const worker = new Worker();
  try {
    const healthUrl = `http://127.0.0.1:${port}/${protocol === 'murmur' ? 'healthz' : ''}`;
    await waitForHttp(healthUrl, 20_000);
    const pid = server.pid ?? 0;
    const empty = await snapshot(pid, dir, healthUrl);
    const rssBefore = rssKb(pid);
    const token = auth ? `?token=${createRoomToken({ room: '*', expiresAt: Date.now() + 3_600_000 }, TOKEN_SECRET)}` : '';
    const url = protocol === 'murmur' ? `ws://127.0.0.1:${port}/signal${token}` : `ws://127.0.0.1:${port}`;
    const reply = await worker.request({ kind: 'setup', setup: { protocol, url, first: 0, count: connections, roomSize, connectConcurrency: 128 } }, 300_000);
    if (reply.kind !== 'connected') throw new Error('unexpected worker reply');
    const rssAfter = rssKb(pid);
    const full = await snapshot(pid, dir, healthUrl);
    const a = tally(empty);
    const b = tally(full);
    const rows: Array<[string, number, number]> = [];
    let total = 0;
    for (const [key, [count, bytes]] of b) {
      const [count0, bytes0] = a.get(key) ?? [0, 0];
      total += bytes - bytes0;
      rows.push([key, (count - count0) / reply.open, (bytes - bytes0) / reply.open]);
    }
    rows.sort((x, y) => y[2] - x[2]);
    log(`[${protocol}${auth ? ' with tokens' : ''}] ${reply.open} open; heap +${Math.round(total / reply.open)} B/conn; RSS +${((rssAfter - rssBefore) / reply.open).toFixed(2)} KB/conn`);
    const table = rows.slice(0, top).map(([key, count, bytes]) => [key.slice(0, 60), count.toFixed(2), Math.round(bytes)]);
    process.stdout.write(`\n${protocol}: heap +${Math.round(total / reply.open)} B per connection\n${formatTable(['kind constructor', 'objects/conn', 'bytes/conn'], table)}\n`);
  } finally {
    server.kill('SIGKILL');
    worker.child.kill('SIGKILL');
    if (process.env.SIGNAL_HEAP_KEEP === '1') log(`[${protocol}] snapshots kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      connections: { type: 'string', default: '2000' },
      'room-size': { type: 'string', default: '10' },
      servers: { type: 'string', default: 'murmur,y-webrtc' },
      top: { type: 'string', default: '25' },
      tokens: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  for (const s of values.servers.split(',')) {
    if (s !== 'murmur' && s !== 'y-webrtc') throw new Error(`--servers: unknown server '${s}'`);
    await measure(s, Number(values.connections), Number(values['room-size']), Number(values.top), values.tokens, log);
  }
}

await main();
