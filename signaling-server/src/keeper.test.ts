/**
 * The keeper over real WebRTC (@roamhq/wrtc): it joins a room that has a
 * peer, stores the doc, serves it to a peer that joins after everyone left;
 * its store survives kill -9 of the real murmur-signal process; two keepers
 * on two instances over real Redis do not fork the document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { joinRoom } from '../../client/src/node.js';
import type { Room } from '../../client/src/typed-room.js';
import { until } from '../../client/test/node-room-harness.js';
import { openKeeperStore } from './keeper-store.js';
import { REDIS_MISSING, redisServerAvailable, startRedisServer } from './redis-test-server.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { startSignalProcess } from './signal-process.js';

const dirs: string[] = [];
const rooms: Room[] = [];
const servers: SignalingServer[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'murmur-keeper-'));
  dirs.push(dir);
  return dir;
}

function peer(url: string, room: string): Room {
  const r = joinRoom(room, { signaling: url });
  rooms.push(r);
  return r;
}

const text = (r: Room) => r.doc.getText('t').toString();

afterEach(async () => {
  for (const r of rooms.splice(0)) r.leave();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('keeper', () => {
  it('is not counted against the caps per address and token (it needs a socket per kept room)', async () => {
    const server = await createSignalingServer({ port: 0, log: () => {}, keep: tempDir(), authSecret: 'keeper-caps-secret-xyz', maxConnectionsPerIp: 1, maxConnectionsPerToken: 1 });
    servers.push(server);
    const keeper = server.keeper!;
    const token = createRoomToken({ room: 'capped', expiresAt: Date.now() + 60_000 }, 'keeper-caps-secret-xyz');
    const first = peer(`${server.url}?token=${token}`, 'capped');
    await until(() => first.peers.has(keeper.peerId), 'the keeper as a member of the room despite the caps', 15_000);
  });

  it('joins a room with a peer as a peer, stores its doc, and serves it to the first peer after everyone left', async () => {
    const server = await createSignalingServer({ port: 0, log: () => {}, keep: tempDir() });
    servers.push(server);
    const keeper = server.keeper!;
    const first = peer(server.url, 'notes');
    await until(() => first.peers.has(keeper.peerId), 'the keeper as a member of the room', 15_000);
    first.doc.getText('t').insert(0, 'kept across an empty room');
    await until(() => keeper.doc('notes')?.getText('t').toString() === 'kept across an empty room', "the keeper's copy", 10_000);
    await until(() => keeper.stats().storedUpdates > 0, 'a stored update');
    expect(keeper.stats().links).toBeLessThanOrEqual(8);
    first.leave();
    await until(() => keeper.stats().rooms === 0, 'the keeper leaving the empty room', 15_000);
    const later = peer(server.url, 'notes');
    await until(() => text(later) === 'kept across an empty room', 'the doc at the peer that came later', 15_000);
  }, 60_000);

  it("keeps the store through kill -9 of murmur-signal --keep and a restart", async () => {
    const dir = tempDir();
    const start = () => startSignalProcess(['--port', '0', '--keep', dir]);
    const stored = async (url: string): Promise<number> => {
      const metrics = await (await fetch(url.replace('ws://', 'http://').replace('/signal', '/metrics'))).text();
      return Number(/^murmur_keeper_updates_stored_total (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    const one = await start();
    const writer = peer(one.url, 'survives');
    await until(() => [...writer.peers.keys()].some((id) => id.startsWith('keeper.')), 'the keeper in the room', 15_000);
    writer.doc.getText('t').insert(0, 'written before kill -9');
    let storedCount = 0;
    const deadline = Date.now() + 10_000;
    while ((storedCount = await stored(one.url)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(storedCount).toBeGreaterThan(0);
    writer.leave();
    await one.kill();

    const two = await start();
    try {
      const reader = peer(two.url, 'survives');
      await until(() => text(reader) === 'written before kill -9', 'the doc after kill -9 and restart', 20_000);
    } finally {
      await two.kill();
    }
  }, 90_000);
});

const redisAvailable = redisServerAvailable();
if (!redisAvailable && process.env.CI) throw new Error(`CI needs the two-keeper Redis test: ${REDIS_MISSING}`);

describe.skipIf(!redisAvailable)('two keepers on two instances over real Redis', () => {
  it('hold the same document: no fork', async () => {
    const redis = await startRedisServer();
    try {
      const [dirOne, dirTwo] = [tempDir(), tempDir()];
      const common = { port: 0, log: () => {}, redisUrl: redis.url, redisPrefix: 'keep:' };
      const one = await createSignalingServer({ ...common, keep: dirOne });
      const two = await createSignalingServer({ ...common, keep: dirTwo });
      servers.push(one, two);
      const a = peer(one.url, 'shared');
      const b = peer(two.url, 'shared');
      const keepers = [one.keeper!, two.keeper!];
      await until(() => keepers.every((k) => a.peers.has(k.peerId) && b.peers.has(k.peerId)), 'both keepers in the room, seen by both peers', 20_000);
      // Concurrent edits on the two instances.
      a.doc.getText('t').insert(0, 'A');
      b.doc.getText('t').insert(0, 'B');
      await until(() => text(a).length === 2 && text(a) === text(b), 'the peers agreeing', 15_000);
      const agreed = text(a);
      await until(() => keepers.every((k) => k.doc('shared')?.getText('t').toString() === agreed), 'both keepers holding it', 15_000);
      a.leave();
      b.leave();
      await Promise.all(servers.splice(0).map((s) => s.close()));

      const storedTexts: string[] = [];
      for (const dir of [dirOne, dirTwo]) {
        const store = await openKeeperStore(dir);
        const doc = new Y.Doc();
        Y.applyUpdate(doc, (await store.load('shared')).update);
        storedTexts.push(doc.getText('t').toString());
        await store.close();
      }
      expect(storedTexts).toEqual([agreed, agreed]);
    } finally {
      await redis.stop();
    }
  }, 90_000);
});
