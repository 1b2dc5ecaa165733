import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from './server.js';
import { REDIS_MISSING, redisServerAvailable, startRedisServer, type RedisTestServer } from './redis-test-server.js';
import { connectYWebrtcClient, yWebrtcUrl, type YWebrtcTestClient } from './y-webrtc-test-client.js';

const available = redisServerAvailable();
if (!available && process.env.CI) throw new Error(`CI needs the two-instance Redis test: ${REDIS_MISSING}`);
if (!available) console.warn(`skipping /y-webrtc Redis tests: ${REDIS_MISSING}`);

let redis: RedisTestServer;
const servers: SignalingServer[] = [];
const clients: YWebrtcTestClient[] = [];

describe.skipIf(!available)('/y-webrtc across two instances through Redis (real redis-server)', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    for (let i = 0; i < 2; i++) {
      servers.push(await createSignalingServer({ port: 0, log: () => {}, redisUrl: redis.url, redisPrefix: 'yw:' }));
    }
  }, 20_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.close()));
    await redis?.stop();
  });

  const subscribed = async (server: SignalingServer, topic: string): Promise<YWebrtcTestClient> => {
    const c = await connectYWebrtcClient(yWebrtcUrl(server.url));
    clients.push(c);
    c.send({ type: 'subscribe', topics: [topic] });
    c.send({ type: 'ping' });
    await c.next((f) => f.type === 'pong');
    return c;
  };

  it('a publish on one instance reaches subscribers on the other, once each', async () => {
    const [one, two] = servers as [SignalingServer, SignalingServer];
    const a = await subscribed(one, 'shared');
    const b = await subscribed(two, 'shared');
    const bystander = await subscribed(two, 'other');
    a.send({ type: 'publish', topic: 'shared', data: { type: 'announce', from: 'a' } });
    expect(await b.next((f) => f.type === 'publish')).toMatchObject({ topic: 'shared', data: { type: 'announce', from: 'a' } });
    expect(await a.next((f) => f.type === 'publish')).toMatchObject({ topic: 'shared' });
    b.send({ type: 'publish', topic: 'shared', data: 'from b' });
    expect(await a.next((f) => f.type === 'publish')).toMatchObject({ data: 'from b' });
    expect(await b.next((f) => f.type === 'publish')).toMatchObject({ data: 'from b' });
    // A round trip through both instances after the publishes: no duplicate, nothing for the bystander.
    a.send({ type: 'publish', topic: 'shared', data: 'fence' });
    await b.next((f) => f.data === 'fence');
    await a.next((f) => f.data === 'fence');
    expect(a.inbox.filter((f) => f.type === 'publish')).toEqual([]);
    expect(b.inbox.filter((f) => f.type === 'publish')).toEqual([]);
    expect(bystander.inbox.filter((f) => f.type === 'publish')).toEqual([]);
  });
});
