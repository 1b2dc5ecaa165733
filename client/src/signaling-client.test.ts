import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../shared/src/errors.js';
import { SIGNALING_CLOSE_CODES } from '../../shared/src/signaling.js';
import { freePort } from '../../signaling-server/src/free-port.js';
import { createRoomToken, type RoomTokenClaims } from '../../signaling-server/src/room-token.js';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/server.js';
import { metricValue } from '../../signaling-server/src/test-client.js';
import { until } from '../test/node-room-harness.js';
import { createIdentity, type Identity } from './identity.js';
import {
  SignalingClient,
  type SignalingError,
  type SignalingRefusal,
  type SignalingStatus,
  type WebSocketConstructor,
} from './signaling-client.js';

describe('SignalingClient.lists', () => {
  let server: SignalingServer | undefined;
  const clients: SignalingClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    await server?.close();
  });

  function client(url: string): { client: SignalingClient; id: string } {
    const identity = createIdentity();
    const made = new SignalingClient({ urls: [url], room: 'lists', peer: identity.id, identity, WebSocket: WebSocket as unknown as WebSocketConstructor, random: Math.random });
    clients.push(made);
    made.start();
    return { client: made, id: identity.id };
  }

  it('knows the peers its server named (joined sample, peer-joined), forgets them on peer-left and when the server goes', async () => {
    server = await createSignalingServer({ port: 0, log: () => {} });
    const { client: a } = client(server.url);
    await until(() => a.status === 'open', 'a joined');
    const { client: b, id: bId } = client(server.url);
    await until(() => a.lists(bId), 'a hears b joined');
    expect(a.lists('nobody-here')).toBe(false);
    b.stop();
    await until(() => !a.lists(bId), 'a hears b left');
    const { id: cId } = client(server.url);
    await until(() => a.lists(cId), 'a hears c joined');
    a.suspend();
    expect(a.lists(cId)).toBe(false);
  });
});

describe('SignalingClient: a refusal for good stops it, a server that is down is retried', () => {
  const SECRET = 'refusal-test-secret-0123';
  let server: SignalingServer | undefined;
  const clients: SignalingClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    await server?.close();
    server = undefined;
  });

  /** A client whose every WebSocket is counted, with a 1–2 ms backoff so a retry would come at once. */
  function start(url: string, options: { peer?: string; identity?: Identity } = {}) {
    const identity = options.identity ?? createIdentity();
    const attempts = { count: 0 };
    class CountingWebSocket extends WebSocket {
      constructor(address: string) {
        super(address);
        attempts.count += 1;
      }
    }
    const client = new SignalingClient({
      urls: [url],
      room: 'vip',
      peer: options.peer ?? identity.id,
      identity,
      WebSocket: CountingWebSocket as unknown as WebSocketConstructor,
      random: () => 0.5,
      minBackoffMs: 1,
      maxBackoffMs: 2,
    });
    const refusals: SignalingRefusal[] = [];
    const errors: SignalingError[] = [];
    const statuses: SignalingStatus[] = [];
    client.on('refused', (info) => refusals.push(info));
    client.on('error', (error) => errors.push(error));
    client.on('status', (status) => statuses.push(status));
    clients.push(client);
    client.start();
    return { client, attempts, refusals, errors, statuses };
  }

  const token = (claims: Partial<RoomTokenClaims> = {}) => createRoomToken({ room: 'vip', expiresAt: Date.now() + 60_000, ...claims }, SECRET);

  it.each<[string, { auth: boolean; query: string; peer?: string }, ErrorCode | undefined]>([
    ['a peer id its key does not derive (no proof)', { auth: false, query: '', peer: 'made-up-peer-id' }, ErrorCode.BAD_PEER_PROOF],
    ['a token for another room', { auth: true, query: `?token=${token({ room: 'elsewhere' })}` }, ErrorCode.ROOM_FORBIDDEN],
    ['a token that names another key', { auth: true, query: `?token=${token({ key: createIdentity().publicKey })}` }, ErrorCode.KEY_FORBIDDEN],
    ['an expired token', { auth: true, query: `?token=${token({ expiresAt: Date.now() - 1 })}` }, undefined],
    ['no token', { auth: true, query: '' }, undefined],
  ])('%s: refused once, status refused, never retried', async (_name, setup, error) => {
    // A short join deadline: a client left waiting after a refused join used to be closed (4408) and retry.
    server = await createSignalingServer({ port: 0, log: () => {}, joinTimeoutMs: 100, ...(setup.auth ? { authSecret: SECRET } : {}) });
    const s = server;
    const { client, attempts, refusals, errors, statuses } = start(`${s.url}${setup.query}`, setup.peer === undefined ? {} : { peer: setup.peer });
    await until(() => refusals.length > 0, 'the refusal');
    expect(refusals).toEqual([
      error === undefined
        ? { url: `${s.url}${setup.query}`, code: SIGNALING_CLOSE_CODES.UNAUTHORIZED, reason: expect.stringMatching(/^unauthorized: /) as unknown, error: ErrorCode.SIGNALING_REFUSED }
        : { url: `${s.url}${setup.query}`, code: SIGNALING_CLOSE_CODES.UNAUTHORIZED, reason: expect.any(String) as unknown, error },
    ]);
    expect(client.status).toBe('refused');
    // The server's own error frame (or, for a close refusal, SIGNALING_REFUSED) reached the app once; nothing was reported unreachable.
    expect(errors.map((e) => e.code)).toEqual([error ?? ErrorCode.SIGNALING_REFUSED]);
    // The client let go of its socket itself (a refused join leaves it open on the server side).
    await until(() => s.stats().connections === 0, 'the refused socket to close');
    // Nothing may happen now, so there is no event to wait for: watch 100 join deadlines' worth of
    // time (500 ms against a 1–2 ms backoff) and check that no socket was opened again.
    const watchUntil = Date.now() + 500;
    await until(() => Date.now() >= watchUntil || attempts.count > 1 || refusals.length > 1, 'the watch window');
    expect(attempts.count).toBe(1);
    expect(refusals).toHaveLength(1);
    expect(statuses.at(-1)).toBe('refused');
    expect(metricValue(s.metrics(), 'murmur_signal_connections_accepted_total') + metricValue(s.metrics(), 'murmur_signal_connections_refused_total{reason="auth"}')).toBe(1);
    // start() after a refusal does not try that server again either.
    client.suspend();
    client.start();
    expect(attempts.count).toBe(1);
  });

  it('a server that is down is retried with jittered backoff, reported once, and joined when it comes up', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/signal`;
    const { client, attempts, refusals, errors } = start(url);
    await until(() => attempts.count >= 5, 'five attempts');
    expect(client.status).toBe('unreachable');
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.SIGNALING_UNREACHABLE]);
    server = await createSignalingServer({ port, log: () => {} });
    await until(() => client.status === 'open', 'the join once the server is up');
    expect(refusals).toEqual([]);
  });

  it('a join refused for a reason that can clear (PEER_ID_TAKEN) is retried and succeeds once the id is free', async () => {
    server = await createSignalingServer({ port: 0, log: () => {}, joinTimeoutMs: 100 });
    const identity = createIdentity();
    const first = start(server.url, { identity });
    await until(() => first.client.status === 'open', 'the first tab to join');
    const second = start(server.url, { identity });
    await until(() => second.errors.some((e) => e.code === ErrorCode.PEER_ID_TAKEN), 'PEER_ID_TAKEN');
    first.client.stop();
    await until(() => second.client.status === 'open', 'the second tab to join once the id is free');
    expect(second.attempts.count).toBeGreaterThan(1);
    expect(second.refusals).toEqual([]);
  });
});
