/**
 * What unfinished fragments cost the signaling server: `--sockets` clients
 * each send `--kib` KiB of one message with fin=false and never finish it;
 * prints the server's RSS growth and how many sockets it closed (1009).
 *
 *   npx tsx bench/signal-fragments.ts [--sockets 100] [--kib 960] [--max-payload-bytes N]
 *
 * Without --max-payload-bytes the server runs with its default cap.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freePort } from '../signaling-server/src/free-port.js';

const { values } = parseArgs({ options: { sockets: { type: 'string' }, kib: { type: 'string' }, 'max-payload-bytes': { type: 'string' } } });
const sockets = Number(values.sockets ?? 100);
const kib = Number(values.kib ?? 960);

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D/g, '') ?? 0);
}

const port = await freePort();
const args = ['bin/murmur-signal.js', '--port', String(port), '--log-level', 'error', '--max-connections-per-ip', String(sockets + 10)];
if (values['max-payload-bytes'] !== undefined) args.push('--max-payload-bytes', values['max-payload-bytes']);
const server = spawn(process.execPath, args, { stdio: 'inherit' });
const pid = server.pid ?? 0;
for (let i = 0; ; i++) {
  const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
  if (ok) break;
  if (i > 200) throw new Error('server did not start');
  await new Promise((r) => setTimeout(r, 50));
}
const before = rssKb(pid);
let closed1009 = 0;
const open: WebSocket[] = [];
await Promise.all(
  Array.from({ length: sockets }, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
    ws.on('error', () => {});
    ws.on('close', (code) => {
      if (code === 1009) closed1009 += 1;
    });
    await new Promise((resolve) => ws.once('open', resolve));
    open.push(ws);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let sent = 0; sent < kib * 1024 && ws.readyState === ws.OPEN; sent += chunk.length) {
      ws.send(chunk.subarray(0, Math.min(chunk.length, kib * 1024 - sent)), { fin: false, binary: false });
    }
  }),
);
// Let the server read what is in flight before measuring.
await new Promise((r) => setTimeout(r, 1500));
const after = rssKb(pid);
console.log(
  JSON.stringify({
    sockets,
    kib_per_socket: kib,
    max_payload_bytes: values['max-payload-bytes'] ?? 'default',
    rss_before_mb: Math.round(before / 1024),
    rss_after_mb: Math.round(after / 1024),
    rss_growth_mb: Math.round((after - before) / 1024),
    closed_1009: closed1009,
  }),
);
for (const ws of open) ws.terminate();
server.kill('SIGKILL');
