import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { CLOSE_CODES } from './admission.js';
import type { SignalingServerOptions } from './config.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectYWebrtcClient, yWebrtcUrl, type YWebrtcTestClient } from './y-webrtc-test-client.js';

let server: SignalingServer | undefined;
const clients: YWebrtcTestClient[] = [];

async function start(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, log: () => {}, ...options });
  return server;
}

async function client(s: SignalingServer, options: { origin?: string; query?: string } = {}): Promise<YWebrtcTestClient> {
  const c = await connectYWebrtcClient(`${yWebrtcUrl(s.url)}${options.query ?? ''}`, options);
  clients.push(c);
  return c;
}

/** A ping's pong proves every frame sent before it was handled. */
async function settled(c: YWebrtcTestClient): Promise<void> {
  c.send({ type: 'ping' });
  await c.next((f) => f.type === 'pong');
}

/** The value of one sample line of /metrics, 0 when absent. */
const metric = (s: SignalingServer, sample: string): number =>
  Number(s.metrics().split('\n').find((l) => l.startsWith(`${sample} `))?.split(' ')[1] ?? 0);

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

describe('/y-webrtc: the y-webrtc 10 protocol', () => {
  it('answers ping with pong', async () => {
    const c = await client(await start());
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });

  it('delivers a publish to every subscriber of the topic, the sender too, with the subscriber count', async () => {
    const s = await start();
    const [a, b, other] = [await client(s), await client(s), await client(s)];
    a.send({ type: 'subscribe', topics: ['room-1'] });
    b.send({ type: 'subscribe', topics: ['room-1', 'room-2'] });
    other.send({ type: 'subscribe', topics: ['room-2'] });
    await Promise.all([settled(a), settled(b), settled(other)]);
    a.send({ type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'a' } });
    const expected = { type: 'publish', topic: 'room-1', data: { type: 'announce', from: 'a' }, clients: 2 };
    expect(await b.next((f) => f.type === 'publish')).toEqual(expected);
    expect(await a.next((f) => f.type === 'publish')).toEqual(expected);
    await settled(other);
    expect(other.inbox.filter((f) => f.type === 'publish')).toEqual([]);
    expect(metric(s, 'murmur_signal_ywebrtc_published_total')).toBe(2);
    expect(metric(s, 'murmur_signal_ywebrtc_topics')).toBe(2);
  });

  it('stops delivering after unsubscribe and after the subscriber closes', async () => {
    const s = await start();
    const [a, b] = [await client(s), await client(s)];
    a.send({ type: 'subscribe', topics: ['t'] });
    b.send({ type: 'subscribe', topics: ['t'] });
    await Promise.all([settled(a), settled(b)]);
    b.send({ type: 'unsubscribe', topics: ['t'] });
    await settled(b);
    a.send({ type: 'publish', topic: 't', data: 'x' });
    expect(await a.next((f) => f.type === 'publish')).toMatchObject({ clients: 1 });
    a.close();
    await a.closed;
    await expect.poll(() => metric(s, 'murmur_signal_ywebrtc_topics')).toBe(0);
  });

  it.each([
    ['not JSON', '{"type": "subscribe", topics', ErrorCode.BAD_JSON],
    ['a JSON array', '[1,2]', ErrorCode.BAD_FRAME],
    ['no type', '{"topics":["a"]}', ErrorCode.BAD_FRAME],
    ['an unknown type', '{"type":"teleport"}', ErrorCode.UNKNOWN_TYPE],
    ['topics not an array', '{"type":"subscribe","topics":"a"}', ErrorCode.BAD_FRAME],
    ['a non-string topic', '{"type":"subscribe","topics":[1]}', ErrorCode.BAD_FRAME],
    ['an over-long topic', JSON.stringify({ type: 'subscribe', topics: ['x'.repeat(300)] }), ErrorCode.BAD_FRAME],
    ['publish without data', '{"type":"publish","topic":"a"}', ErrorCode.BAD_FRAME],
    ['publish to a topic not subscribed', '{"type":"publish","topic":"a","data":1}', ErrorCode.NOT_IN_ROOM],
  ])('answers %s with a typed error and keeps serving', async (_name, frame, code) => {
    const s = await start();
    const c = await client(s);
    c.send(frame);
    expect(await c.next()).toMatchObject({ type: 'error', code });
    await settled(c);
    expect(metric(s, `murmur_signal_ywebrtc_frames_rejected_total{reason="${code.replace('MURMUR_', '').toLowerCase()}"}`)).toBe(1);
  });

  it('refuses binary frames and frames over maxFrameBytes; closes over maxPayloadBytes', async () => {
    const s = await start({ maxFrameBytes: 1024, maxPayloadBytes: 4096 });
    const c = await client(s);
    c.send(new Uint8Array([1, 2, 3]));
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.BINARY_FRAME });
    c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) }));
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.FRAME_TOO_LARGE });
    c.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect((await c.closed).code).toBe(1009);
  });

  it('caps topics per connection (maxRoomsPerConnection) and subscribers per topic (maxPeersPerRoom)', async () => {
    const s = await start({ maxRoomsPerConnection: 2, maxPeersPerRoom: 2 });
    const a = await client(s);
    a.send({ type: 'subscribe', topics: ['t1', 't2', 't3'] });
    expect(await a.next()).toMatchObject({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS });
    const [b, c] = [await client(s), await client(s)];
    b.send({ type: 'subscribe', topics: ['t1'] });
    await settled(b);
    c.send({ type: 'subscribe', topics: ['t1'] });
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.ROOM_FULL });
  });

  it('drops frames over the rate limit, then closes with 4429', async () => {
    const s = await start({ rateLimit: 1, rateBurst: 5, rateLimitCloseAfter: 20 });
    const c = await client(s);
    for (let i = 0; i < 40; i++) c.send({ type: 'ping' });
    expect((await c.closed).code).toBe(CLOSE_CODES.RATE_LIMITED);
    expect(c.inbox.filter((f) => f.type === 'pong')).toHaveLength(5);
    expect(c.inbox.filter((f) => f.code === ErrorCode.RATE_LIMITED)).toHaveLength(1);
    expect(metric(s, 'murmur_signal_ywebrtc_disconnects_total{reason="rate_limited"}')).toBe(1);
  });

  it('applies the Origin allowlist and room tokens to /y-webrtc as to /signal', async () => {
    const secret = 'y-webrtc-test-secret-123';
    const s = await start({ allowedOrigins: ['https://app.example'], authSecret: secret });
    const token = createRoomToken({ room: 'lobby', expiresAt: Date.now() + 60_000 }, secret);
    const stranger = await client(s, { origin: 'https://evil.example', query: `?token=${token}` });
    expect((await stranger.closed).code).toBe(CLOSE_CODES.FORBIDDEN_ORIGIN);
    const tokenless = await client(s, { origin: 'https://app.example' });
    expect((await tokenless.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    const member = await client(s, { origin: 'https://app.example', query: `?token=${token}` });
    member.send({ type: 'subscribe', topics: ['elsewhere'] });
    expect(await member.next()).toMatchObject({ type: 'error', code: ErrorCode.ROOM_FORBIDDEN });
    member.send({ type: 'subscribe', topics: ['lobby'] });
    member.send({ type: 'publish', topic: 'lobby', data: 'hi' });
    expect(await member.next()).toMatchObject({ type: 'publish', topic: 'lobby', data: 'hi' });
  });

  it('counts /y-webrtc sockets against maxConnections and closes them on shutdown', async () => {
    const s = await start({ maxConnections: 1 });
    const first = await client(s);
    const second = await client(s);
    expect((await second.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    await s.close();
    server = undefined;
    expect((await first.closed).code).toBe(CLOSE_CODES.GOING_AWAY);
  });
});
