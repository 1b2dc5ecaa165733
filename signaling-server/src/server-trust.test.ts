/**
 * Issue 13, server side without client identity: the deadline to join, the
 * limit on unfinished fragments, token expiry on open sockets, and the caps
 * per address and per token, on /signal and /y-webrtc.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { CLOSE_CODES } from './admission.js';
import { resolveConfig, type SignalingServerOptions } from './config.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectTestClient, joinRoom, metricValue, type TestClient } from './test-client.js';
import { connectYWebrtcClient, yWebrtcUrl, type YWebrtcTestClient } from './y-webrtc-test-client.js';

const SECRET = 'trust-test-secret-xyz';
let server: SignalingServer | undefined;
const clients: Array<TestClient | YWebrtcTestClient> = [];

async function start(options: SignalingServerOptions): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, log: () => {}, requirePeerKeys: false, ...options });
  return server;
}

async function client(url: string): Promise<TestClient> {
  const c = await connectTestClient(url);
  clients.push(c);
  return c;
}

async function yClient(url: string): Promise<YWebrtcTestClient> {
  const c = await connectYWebrtcClient(yWebrtcUrl(url));
  clients.push(c);
  return c;
}

const join = joinRoom;

const token = (room: string, ttlMs = 60_000) => createRoomToken({ room, expiresAt: Date.now() + ttlMs }, SECRET);

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

describe('config', () => {
  it('validates the new limits once, naming the field', () => {
    expect(() => resolveConfig({ joinTimeoutMs: 5 })).toThrow(/joinTimeoutMs/);
    expect(() => resolveConfig({ maxConnectionsPerIp: 0 })).toThrow(/maxConnectionsPerIp/);
    expect(() => resolveConfig({ maxConnectionsPerToken: 1.5 })).toThrow(/maxConnectionsPerToken/);
    expect(() => resolveConfig({ maxRoomSlotsPerIp: -1 })).toThrow(/maxRoomSlotsPerIp/);
    expect(() => resolveConfig({ maxRoomSlotsPerToken: Number.NaN })).toThrow(/maxRoomSlotsPerToken/);
    const defaults = resolveConfig({});
    expect(defaults.joinTimeoutMs).toBe(10_000);
    expect(defaults.maxPayloadBytes).toBe(128 * 1024);
  });
});

describe('deadline to join', () => {
  it('closes a socket that joins no room in time with 4408; a joined one stays', async () => {
    const s = await start({ joinTimeoutMs: 300 });
    const idle = await client(s.url);
    const member = await client(s.url);
    expect(await join(member, 'r', 'a')).toMatchObject({ type: 'joined' });
    expect(await idle.closed).toEqual({ code: CLOSE_CODES.JOIN_TIMEOUT, reason: 'no room joined within 300 ms' });
    expect(member.socket.readyState).toBe(WebSocket.OPEN);
    expect(await join(member, 'r', 'a')).toMatchObject({ type: 'joined' });
    expect(metricValue(s.metrics(), 'murmur_signal_disconnects_total{reason="join_timeout"}')).toBe(1);
  });

  it('puts a socket that left its last room back on the clock', async () => {
    const s = await start({ joinTimeoutMs: 300 });
    const c = await client(s.url);
    expect(await join(c, 'r', 'a')).toMatchObject({ type: 'joined' });
    c.send({ type: 'leave', room: 'r' });
    expect((await c.closed).code).toBe(CLOSE_CODES.JOIN_TIMEOUT);
  });

  it('idle sockets do not lock real clients out for longer than the deadline', async () => {
    const s = await start({ joinTimeoutMs: 300, maxConnections: 3 });
    const idle = [await client(s.url), await client(s.url), await client(s.url)];
    const turnedAway = await client(s.url);
    expect((await turnedAway.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    for (const c of idle) expect((await c.closed).code).toBe(CLOSE_CODES.JOIN_TIMEOUT);
    const real = await client(s.url);
    expect(await join(real, 'r', 'real')).toMatchObject({ type: 'joined' });
  });

  it('applies to /y-webrtc: subscribe in time or be closed with 4408', async () => {
    const s = await start({ joinTimeoutMs: 300 });
    const idle = await yClient(s.url);
    const member = await yClient(s.url);
    member.send({ type: 'subscribe', topics: ['t'] });
    expect(await idle.closed).toEqual({ code: CLOSE_CODES.JOIN_TIMEOUT, reason: 'no topic subscribed within 300 ms' });
    member.send({ type: 'ping' });
    expect(await member.next()).toEqual({ type: 'pong' });
  });
});

describe('unfinished fragments', () => {
  it.each([
    ['/signal', (url: string) => url],
    ['/y-webrtc', yWebrtcUrl],
  ])('%s: a 200 KiB unfinished message closes the socket with 1009 under the default cap', async (_path, toUrl) => {
    const s = await start({});
    const socket = new WebSocket(toUrl(s.url));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 4; i++) socket.send(Buffer.alloc(50 * 1024, 0x61), { fin: false, binary: false });
    expect(await closed).toBe(1009);
    // Still serving.
    const c = await client(s.url);
    expect(await join(c, 'r', 'a')).toMatchObject({ type: 'joined' });
  });
});

describe('token expiry on open sockets', () => {
  it('closes a joined socket with 4401 when its token expires; the room hears it left', async () => {
    const s = await start({ authSecret: SECRET });
    const stays = await client(`${s.url}?token=${token('r')}`);
    expect(await join(stays, 'r', 'stays')).toMatchObject({ type: 'joined' });
    const expiring = await client(`${s.url}?token=${token('r', 600)}`);
    expect(await join(expiring, 'r', 'expiring')).toMatchObject({ type: 'joined' });
    expect(await expiring.closed).toEqual({ code: CLOSE_CODES.UNAUTHORIZED, reason: 'token expired; reconnect with a new one' });
    expect(await stays.next((m) => m.type === 'peer-left')).toEqual({ type: 'peer-left', room: 'r', peer: 'expiring' });
    stays.send({ type: 'signal', room: 'r', to: 'expiring', data: { sdp: 'offer' } });
    expect(await stays.next((m) => m.type === 'error')).toMatchObject({ type: 'error', code: ErrorCode.UNKNOWN_TARGET });
    expect(metricValue(s.metrics(), 'murmur_signal_disconnects_total{reason="token_expired"}')).toBe(1);
  });

  it('closes a /y-webrtc socket with 4401 when its token expires', async () => {
    const s = await start({ authSecret: SECRET });
    const c = await connectYWebrtcClient(`${yWebrtcUrl(s.url)}?token=${token('t', 600)}`);
    clients.push(c);
    c.send({ type: 'subscribe', topics: ['t'] });
    expect(await c.closed).toEqual({ code: CLOSE_CODES.UNAUTHORIZED, reason: 'token expired; reconnect with a new one' });
  });
});

describe('caps per address and per token', () => {
  it('caps connections per address with 4409 across both paths, and frees the slot on close', async () => {
    const s = await start({ maxConnectionsPerIp: 2 });
    const first = await client(s.url);
    await yClient(s.url);
    const third = await client(s.url);
    expect(await third.closed).toEqual({ code: CLOSE_CODES.TOO_MANY_CONNECTIONS, reason: 'too many connections from your address (2)' });
    first.close();
    await first.closed;
    const again = await client(s.url);
    expect(await join(again, 'r', 'a')).toMatchObject({ type: 'joined' });
    expect(metricValue(s.metrics(), 'murmur_signal_connections_refused_total{reason="client_cap"}')).toBe(1);
  });

  it('caps connections per token; another token is not affected', async () => {
    const s = await start({ authSecret: SECRET, maxConnectionsPerToken: 2 });
    const shared = token('r');
    await client(`${s.url}?token=${shared}`);
    await client(`${s.url}?token=${shared}`);
    const third = await client(`${s.url}?token=${shared}`);
    expect(await third.closed).toEqual({ code: CLOSE_CODES.TOO_MANY_CONNECTIONS, reason: 'too many connections with your token (2)' });
    const other = await client(`${s.url}?token=${token('r', 59_000)}`);
    expect(await join(other, 'r', 'b')).toMatchObject({ type: 'joined' });
  });

  it('caps room slots per address across connections and paths, with MURMUR_TOO_MANY_ROOMS', async () => {
    const s = await start({ maxRoomSlotsPerIp: 3 });
    const a = await client(s.url);
    const b = await client(s.url);
    const y = await yClient(s.url);
    expect(await join(a, 'r1', 'a')).toMatchObject({ type: 'joined' });
    expect(await join(a, 'r2', 'a')).toMatchObject({ type: 'joined' });
    y.send({ type: 'subscribe', topics: ['t1', 't2'] });
    expect(await y.next()).toMatchObject({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, ref: 'subscribe' });
    expect(await join(b, 'r3', 'b')).toMatchObject({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, ref: 'join' });
    expect(await join(a, 'r1', 'a-renamed')).toMatchObject({ type: 'joined' }); // a new id in the same room is no new slot
    a.send({ type: 'leave', room: 'r2' });
    expect(await join(b, 'r3', 'b')).toMatchObject({ type: 'joined' });
    expect(metricValue(s.metrics(), 'murmur_signal_frames_rejected_total{reason="room_slots"}')).toBe(1);
  });

  it('caps room slots per token', async () => {
    const s = await start({ authSecret: SECRET, maxRoomSlotsPerToken: 1 });
    const shared = createRoomToken({ room: '*', expiresAt: Date.now() + 60_000 }, SECRET);
    const a = await client(`${s.url}?token=${shared}`);
    const b = await client(`${s.url}?token=${shared}`);
    expect(await join(a, 'r1', 'a')).toMatchObject({ type: 'joined' });
    expect(await join(b, 'r2', 'b')).toMatchObject({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, message: 'your token holds the most rooms it may (1)' });
    a.close();
    await a.closed;
    expect(await join(b, 'r2', 'b')).toMatchObject({ type: 'joined' });
  });
});
