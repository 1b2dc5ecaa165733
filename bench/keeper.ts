/**
 * `npm run bench:keeper`: what a keeper costs per room. Starts the real
 * `murmur-signal --keep DIR` as a child process, opens `--rooms` rooms with
 * `--peers` Node peers each (@roamhq/wrtc, in this process), each peer
 * writes `--doc-bytes` of text, and waits until the keeper is in every room
 * and linked. Then reads the server's /metrics: keeper rooms and links, the
 * server's RSS and heap before and after, and the database size on disk.
 *
 *   npx tsx bench/keeper.ts [--rooms 100] [--peers 1] [--doc-bytes 1024] [--json]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { joinRoom } from '../client/src/node.js';
import type { Room } from '../client/src/typed-room.js';
import { startSignalProcess } from '../signaling-server/src/signal-process.js';

const { values } = parseArgs({
  options: { rooms: { type: 'string', default: '100' }, peers: { type: 'string', default: '1' }, 'doc-bytes': { type: 'string', default: '1024' }, json: { type: 'boolean', default: false } },
});
const ROOMS = Number(values.rooms);
const PEERS = Number(values.peers);
const DOC_BYTES = Number(values['doc-bytes']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'murmur-bench-keeper-'));
const server = await startSignalProcess(['--port', '0', '--keep', dir]);
const url = server.url;
const peers: Room[] = [];

async function metrics(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(url.replace('ws://', 'http://').replace('/signal', '/metrics'))).text();
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+) ([0-9.e+]+)$/.exec(line);
    if (match?.[1] && match[2]) out[match[1]] = Number(match[2]);
  }
  return out;
}

function dirBytes(path: string): number {
  return readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0);
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

try {
  await sleep(1000);
  const before = await metrics(url);
  const startedAt = Date.now();
  for (let r = 0; r < ROOMS; r++) {
    for (let p = 0; p < PEERS; p++) {
      const room = joinRoom(`bench-${r}`, { signaling: url });
      room.doc.getText('t').insert(0, 'x'.repeat(DOC_BYTES / PEERS));
      peers.push(room);
    }
    if (r % 10 === 9) await sleep(200); // a burst of 10 rooms, then let the handshakes run
  }
  await until(`the keeper in all ${ROOMS} rooms and linked`, 180_000, async () => {
    const m = await metrics(url);
    return m.murmur_keeper_rooms === ROOMS && (m.murmur_keeper_links ?? 0) >= ROOMS && (m.murmur_keeper_updates_stored_total ?? 0) >= ROOMS;
  });
  const joinedMs = Date.now() - startedAt;
  await sleep(3000); // let the keeper's timers and first anti-entropy rounds settle before measuring
  const after = await metrics(url);
  const rssPerRoom = ((after.process_resident_memory_bytes ?? 0) - (before.process_resident_memory_bytes ?? 0)) / ROOMS;
  const heapPerRoom = ((after.nodejs_heap_used_bytes ?? 0) - (before.nodejs_heap_used_bytes ?? 0)) / ROOMS;
  const result = {
    rooms: ROOMS,
    peers_per_room: PEERS,
    doc_bytes: DOC_BYTES,
    keeper_rooms: after.murmur_keeper_rooms,
    keeper_links: after.murmur_keeper_links,
    links_per_room: (after.murmur_keeper_links ?? 0) / ROOMS,
    server_rss_before_mb: (before.process_resident_memory_bytes ?? 0) / 2 ** 20,
    server_rss_after_mb: (after.process_resident_memory_bytes ?? 0) / 2 ** 20,
    rss_per_room_kb: rssPerRoom / 1024,
    heap_per_room_kb: heapPerRoom / 1024,
    db_bytes: dirBytes(dir),
    all_joined_ms: joinedMs,
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`keeper with ${ROOMS} rooms open (${PEERS} Node peer(s) each, ${DOC_BYTES} B of doc per room):`);
    for (const [key, value] of Object.entries(result)) console.log(`  ${key.padEnd(22)} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value)}`);
  }
} finally {
  for (const room of peers) room.leave();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
