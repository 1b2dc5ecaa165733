import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { REDIS_MISSING, redisServerAvailable, startRedisServer, type RedisTestServer } from './redis-test-server.js';
import { connectTestClient, type TestClient } from './test-client.js';

const available = redisServerAvailable();
if (!available && process.env.CI) throw new Error(`CI needs the two-instance Redis test: ${REDIS_MISSING}`);
if (!available) console.warn(`skipping Redis scale-out tests: ${REDIS_MISSING}`);

let redis: RedisTestServer;
const servers: SignalingServer[] = [];
const clients: TestClient[] = [];
let prefixCounter = 0;

async function instances(count: number, options: { maxPeersPerRoom?: number } = {}): Promise<SignalingServer[]> {
  const redisPrefix = `t${++prefixCounter}:`;
  const started: SignalingServer[] = [];
  for (let i = 0; i < count; i++) {
    started.push(await createSignalingServer({ port: 0, log: () => {}, redisUrl: redis.url, redisPrefix, requirePeerKeys: false, ...options }));
  }
  servers.push(...started);
  return started;
}

async function joined(server: SignalingServer, room: string, peer: string) {
  const c = await connectTestClient(server.url);
  clients.push(c);
  c.send({ type: 'join', room, peer });
  const reply = await c.next((m) => m.type === 'joined' || m.type === 'error');
  return { c, reply };
}

describe.skipIf(!available)('scale-out through Redis (two instances, real redis-server)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 20_000);

  afterAll(async () => {
    await redis?.stop();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('bootstraps a peer on instance 1 with a peer on instance 2', async () => {
    const [one, two] = (await instances(2)) as [SignalingServer, SignalingServer];
    const a = await joined(one, 'room', 'a');
    expect(a.reply).toEqual({ type: 'joined', room: 'room', peer: 'a', peers: [] });
    const b = await joined(two, 'room', 'b');
    expect(b.reply).toEqual({ type: 'joined', room: 'room', peer: 'b', peers: ['a'] });
    expect(await a.c.next()).toEqual({ type: 'peer-joined', room: 'room', peer: 'b' });

    b.c.send({ type: 'signal', room: 'room', to: 'a', data: { sdp: 'offer' } });
    expect(await a.c.next()).toEqual({ type: 'signal', room: 'room', from: 'b', data: { sdp: 'offer' } });
    a.c.send({ type: 'signal', room: 'room', to: 'b', data: { sdp: 'answer' } });
    expect(await b.c.next()).toEqual({ type: 'signal', room: 'room', from: 'a', data: { sdp: 'answer' } });

    a.c.send({ type: 'signal', room: 'room', to: 'nobody', data: {} });
    expect(await a.c.next()).toMatchObject({ type: 'error', code: ErrorCode.UNKNOWN_TARGET });

    b.c.send({ type: 'leave', room: 'room' });
    expect(await a.c.next()).toEqual({ type: 'peer-left', room: 'room', peer: 'b' });
    const ready = await fetch(one.url.replace('ws://', 'http://').replace('/signal', '/readyz'));
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });
  });

  it('holds peer ids and room size across instances', async () => {
    const [one, two] = (await instances(2, { maxPeersPerRoom: 2 })) as [SignalingServer, SignalingServer];
    await joined(one, 'room', 'a');
    expect((await joined(two, 'room', 'a')).reply).toMatchObject({ type: 'error', code: ErrorCode.PEER_ID_TAKEN });
    expect((await joined(two, 'room', 'b')).reply).toMatchObject({ type: 'joined', peers: ['a'] });
    expect((await joined(one, 'room', 'c')).reply).toMatchObject({ type: 'error', code: ErrorCode.ROOM_FULL });
  });

  it('tells peers on other instances when an instance shuts down', async () => {
    const [one, two] = (await instances(2)) as [SignalingServer, SignalingServer];
    const a = await joined(one, 'room', 'a');
    await joined(two, 'room', 'b');
    await a.c.next((m) => m.type === 'peer-joined');
    await two.close();
    expect(await a.c.next()).toEqual({ type: 'peer-left', room: 'room', peer: 'b' });
    expect((await joined(one, 'room', 'b')).reply).toMatchObject({ type: 'joined', peers: ['a'] });
  });

  it('sweeps ids left behind by a crashed instance', async () => {
    const [one] = (await instances(1)) as [SignalingServer];
    const prefix = `t${prefixCounter}:`;
    const raw = new Redis(redis.url);
    await raw.hset(`${prefix}room:room`, 'ghost', 'dead-instance');
    const a = await joined(one, 'room', 'a');
    expect(a.reply).toMatchObject({ type: 'joined', peers: [] });
    expect(await raw.hkeys(`${prefix}room:room`)).toEqual(['a']);
    raw.disconnect();
  });

  it('an instance whose liveness key lapsed keeps its peer ids while it still listens', async () => {
    const [one, two] = (await instances(2)) as [SignalingServer, SignalingServer];
    const prefix = `t${prefixCounter}:`;
    const raw = new Redis(redis.url);
    const a = await joined(one, 'room', 'a');
    expect(a.reply).toMatchObject({ type: 'joined' });
    const holder = await raw.hget(`${prefix}room:room`, 'a');
    // A stalled heartbeat: the key is gone, the instance (and its subscription) is not.
    expect(await raw.del(`${prefix}alive:${String(holder)}`)).toBe(1);
    const thief = await joined(two, 'room', 'a');
    expect(thief.reply).toMatchObject({ type: 'error', code: ErrorCode.PEER_ID_TAKEN });
    const b = await joined(two, 'room', 'b');
    expect(b.reply).toMatchObject({ type: 'joined', peers: ['a'] });
    b.c.send({ type: 'signal', room: 'room', to: 'a', data: { sdp: 'offer' } });
    expect(await a.c.next((m) => m.type === 'signal')).toEqual({ type: 'signal', room: 'room', from: 'b', data: { sdp: 'offer' } });
    expect(await raw.hget(`${prefix}room:room`, 'a')).toBe(holder);
    raw.disconnect();
  });

  it('answers MURMUR_UNAVAILABLE, stays up and turns unready when Redis goes away', async () => {
    const own = await startRedisServer();
    const server = await createSignalingServer({ port: 0, log: () => {}, redisUrl: own.url, requirePeerKeys: false });
    servers.push(server);
    const a = await joined(server, 'room', 'a');
    const b = await joined(server, 'room', 'b');
    await own.stop();
    const readyz = server.url.replace('ws://', 'http://').replace('/signal', '/readyz');
    let ready = await fetch(readyz);
    for (let i = 0; i < 50 && ready.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(readyz);
    }
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reasons: ['redis not ready'] });
    const c = await joined(server, 'room', 'c');
    expect(c.reply).toMatchObject({ type: 'error', code: ErrorCode.UNAVAILABLE });
    // Peers on this instance still reach each other without Redis.
    a.c.send({ type: 'signal', room: 'room', to: 'b', data: { still: 'here' } });
    expect(await b.c.next((m) => m.type === 'signal')).toMatchObject({ from: 'a' });
  }, 20_000);

  it('keeps frame order for a connection while Redis calls are in flight', async () => {
    const [one, two] = (await instances(2)) as [SignalingServer, SignalingServer];
    const a = await joined(one, 'room', 'a');
    const b = await connectTestClient(two.url);
    clients.push(b);
    // join and an immediate signal in the same tick: the signal must wait for the join.
    b.send({ type: 'join', room: 'room', peer: 'b' });
    for (let i = 0; i < 20; i++) b.send({ type: 'signal', room: 'room', to: 'a', data: { i } });
    const got: number[] = [];
    while (got.length < 20) {
      const m = await a.c.next((x) => x.type === 'signal');
      if (m.type === 'signal') got.push((m.data as { i: number }).i);
    }
    expect(got).toEqual([...Array(20).keys()]);
  });
});
