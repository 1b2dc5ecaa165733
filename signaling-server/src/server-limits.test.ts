import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { until } from '../../client/test/node-room-harness.js';
import { ErrorCode } from '../../shared/src/errors.js';
import { CLOSE_CODES } from './admission.js';
import type { SignalingServerOptions } from './config.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectTestClient, joinRoom, metricValue, type TestClient } from './test-client.js';

const SECRET = 'limits-test-secret-xyz';
let server: SignalingServer | undefined;
const clients: TestClient[] = [];

async function start(options: SignalingServerOptions): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, log: () => {}, requirePeerKeys: false, ...options });
  return server;
}

async function client(url: string, origin?: string): Promise<TestClient> {
  const c = await connectTestClient(url, origin === undefined ? {} : { origin });
  clients.push(c);
  return c;
}

const join = joinRoom;

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

describe('admission', () => {
  it('admits a valid room token and only to its room', async () => {
    const s = await start({ authSecret: SECRET });
    const token = createRoomToken({ room: 'lobby', expiresAt: Date.now() + 60_000 }, SECRET);
    const c = await client(`${s.url}?token=${token}`);
    expect(await join(c, 'lobby', 'a')).toMatchObject({ type: 'joined' });
    expect(await join(c, 'elsewhere', 'a')).toMatchObject({ type: 'error', code: ErrorCode.ROOM_FORBIDDEN });
  });

  it.each([
    ['no token', ''],
    ['an expired token', `?token=${createRoomToken({ room: 'lobby', expiresAt: Date.now() - 1 }, SECRET)}`],
    ['a token signed with another secret', `?token=${createRoomToken({ room: 'lobby', expiresAt: Date.now() + 60_000 }, 'some-other-secret-123')}`],
    ['garbage', '?token=%00%ff..'],
  ])('closes with 4401 on %s', async (_name, query) => {
    const s = await start({ authSecret: SECRET });
    const c = await client(`${s.url}${query}`);
    const closed = await c.closed;
    expect(closed.code).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect(closed.reason).toMatch(/^unauthorized: /);
    expect(metricValue(s.metrics(), 'murmur_signal_connections_refused_total{reason="auth"}')).toBe(1);
  });

  it('runs a programmatic hook and survives one that throws', async () => {
    const s = await start({
      authenticate: ({ token }) => {
        if (token === 'boom') throw new Error('hook bug');
        return token === 'let-me-in' ? { ok: true, rooms: ['r1'] } : { ok: false, reason: 'who are you' };
      },
    });
    const ok = await client(`${s.url}?token=let-me-in`);
    expect(await join(ok, 'r1', 'a')).toMatchObject({ type: 'joined' });
    expect((await (await client(`${s.url}?token=nope`)).closed).reason).toBe('unauthorized: who are you');
    expect((await (await client(`${s.url}?token=boom`)).closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect(await join(ok, 'r1', 'a')).toMatchObject({ type: 'joined' });
  });

  it('enforces the Origin allowlist', async () => {
    const s = await start({ allowedOrigins: ['https://app.example'] });
    const good = await client(s.url, 'https://app.example');
    expect(await join(good, 'r', 'a')).toMatchObject({ type: 'joined' });
    const evil = await client(s.url, 'https://evil.example');
    expect(await evil.closed).toEqual({ code: CLOSE_CODES.FORBIDDEN_ORIGIN, reason: 'origin not allowed: https://evil.example' });
  });
});

describe('limits', () => {
  it('caps total connections with 1013 and readiness reports full', async () => {
    const s = await start({ maxConnections: 2 });
    await client(s.url);
    await client(s.url);
    const third = await client(s.url);
    expect((await third.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    const ready = await fetch(s.url.replace('ws://', 'http://').replace('/signal', '/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reasons: ['full'] });
    expect(metricValue(s.metrics(), 'murmur_signal_connections_refused_total{reason="capacity"}')).toBe(1);
  });

  it('caps rooms per connection and peers per room', async () => {
    const s = await start({ maxRoomsPerConnection: 2, maxPeersPerRoom: 2 });
    const a = await client(s.url);
    expect(await join(a, 'r1', 'a')).toMatchObject({ type: 'joined' });
    expect(await join(a, 'r2', 'a')).toMatchObject({ type: 'joined' });
    expect(await join(a, 'r3', 'a')).toMatchObject({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, ref: 'join' });
    expect(await join(await client(s.url), 'r1', 'b')).toMatchObject({ type: 'joined' });
    expect(await join(await client(s.url), 'r1', 'c')).toMatchObject({ type: 'error', code: ErrorCode.ROOM_FULL });
    expect(await join(a, 'r1', 'a2')).toMatchObject({ type: 'joined' }); // changing one's own id is not growth
    const text = s.metrics();
    expect(metricValue(text, 'murmur_signal_frames_rejected_total{reason="too_many_rooms"}')).toBe(1);
    expect(metricValue(text, 'murmur_signal_frames_rejected_total{reason="room_full"}')).toBe(1);
  });

  it('rate-limits a flood: one error, drops, then close 4429; others unaffected', async () => {
    const s = await start({ rateLimit: 10, rateBurst: 5, rateLimitCloseAfter: 50 });
    const calm = await client(s.url);
    await join(calm, 'quiet', 'calm');
    const flood = await client(s.url);
    for (let i = 0; i < 200; i++) flood.send({ type: 'leave', room: 'nowhere' });
    const closed = await flood.closed;
    expect(closed).toEqual({ code: CLOSE_CODES.RATE_LIMITED, reason: 'rate limit exceeded' });
    const errors: string[] = [];
    for (;;) {
      const m = await flood.next(() => true, 200).catch(() => undefined);
      if (!m) break;
      if (m.type === 'error') errors.push(m.code);
    }
    expect(errors.filter((c) => c === ErrorCode.RATE_LIMITED)).toHaveLength(1);
    expect(errors.filter((c) => c === ErrorCode.NOT_IN_ROOM)).toHaveLength(5);
    expect(await join(calm, 'quiet', 'calm')).toMatchObject({ type: 'joined' });
    const text = s.metrics();
    expect(metricValue(text, 'murmur_signal_frames_rejected_total{reason="rate_limited"}')).toBeGreaterThanOrEqual(50);
    expect(metricValue(text, 'murmur_signal_disconnects_total{reason="rate_limited"}')).toBe(1);
  });

  it('answers an over-limit frame with an error and closes an over-payload one with 1009', async () => {
    const s = await start({ maxFrameBytes: 1024, maxPayloadBytes: 4096 });
    const c = await client(s.url);
    c.send('x'.repeat(2000));
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.FRAME_TOO_LARGE });
    c.send('x'.repeat(5000));
    expect((await c.closed).code).toBe(1009);
  });
});

describe('operations', () => {
  it('serves Prometheus metrics with connections, rooms, relays and latency', async () => {
    const s = await start({});
    const a = await client(s.url);
    const b = await client(s.url);
    await join(a, 'r', 'a');
    await join(b, 'r', 'b');
    a.send({ type: 'signal', room: 'r', to: 'b', data: { x: 1 } });
    await b.next((m) => m.type === 'signal');
    a.send('not json');
    await a.next((m) => m.type === 'error');
    const res = await fetch(s.url.replace('ws://', 'http://').replace('/signal', '/metrics'));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(metricValue(text, 'murmur_signal_connections')).toBe(2);
    expect(metricValue(text, 'murmur_signal_rooms')).toBe(1);
    expect(metricValue(text, 'murmur_signal_frames_relayed_total')).toBe(1);
    expect(metricValue(text, 'murmur_signal_frames_rejected_total{reason="bad_json"}')).toBe(1);
    expect(metricValue(text, 'murmur_signal_relay_latency_seconds_count')).toBe(1);
  });

  it('drains on close: readiness goes 503, clients get 1001, the port is freed', async () => {
    const s = await start({ shutdownGraceMs: 2000 });
    const c = await client(s.url);
    await join(c, 'r', 'a');
    const readyBefore = await fetch(s.url.replace('ws://', 'http://').replace('/signal', '/readyz'));
    expect(readyBefore.status).toBe(200);
    const closing = s.close();
    expect(await c.closed).toEqual({ code: CLOSE_CODES.GOING_AWAY, reason: 'server shutting down' });
    await closing;
    await expect(fetch(s.url.replace('ws://', 'http://').replace('/signal', '/healthz'))).rejects.toThrow();
  });

  it('logs structured records through the sink, filtered by level', async () => {
    const records: Array<Record<string, unknown>> = [];
    const s = await start({ log: (r) => records.push(r), logLevel: 'info', allowedOrigins: ['https://ok.example'] });
    await (await client(s.url, 'https://bad.example')).closed;
    expect(records).toContainEqual(expect.objectContaining({ level: 'info', msg: 'connection refused', code: CLOSE_CODES.FORBIDDEN_ORIGIN }));
    expect(records.every((r) => typeof r.msg === 'string' && typeof r.level === 'string')).toBe(true);
  });
});

describe('liveness', () => {
  it.each(['/signal', '/y-webrtc'])('terminates a %s socket that stops answering pings and keeps one that answers', async (path) => {
    const s = await start({ pingIntervalMs: 100 });
    const url = s.url.replace('/signal', path);
    const open = (autoPong: boolean) => {
      const socket = new WebSocket(url, { autoPong });
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      let pings = 0;
      socket.on('ping', () => (pings += 1));
      return { socket, closed, pings: () => pings };
    };
    const answering = open(true);
    const silent = open(false);
    // A silent socket is pinged once, then cut at the next period (1006: no close frame).
    expect(await silent.closed).toBe(1006);
    await until(() => answering.pings() >= 4, 'the answering socket to be pinged 4 times');
    expect(answering.socket.readyState).toBe(WebSocket.OPEN);
    const metric = path === '/signal' ? 'murmur_signal_disconnects_total' : 'murmur_signal_ywebrtc_disconnects_total';
    expect(metricValue(s.metrics(), `${metric}{reason="ping_timeout"}`)).toBe(1);
    answering.socket.close();
  });
});
