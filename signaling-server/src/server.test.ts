import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectTestClient, type TestClient } from './test-client.js';

let server: SignalingServer;
const clients: TestClient[] = [];

async function client(): Promise<TestClient> {
  const c = await connectTestClient(server.url);
  clients.push(c);
  return c;
}

async function joined(room: string, peer: string): Promise<{ c: TestClient; peers: string[] }> {
  const c = await client();
  c.send({ type: 'join', room, peer });
  const reply = await c.next((m) => m.type === 'joined');
  if (reply.type !== 'joined') throw new Error('unreachable');
  return { c, peers: reply.peers };
}

beforeEach(async () => {
  server = await createSignalingServer({ port: 0, maxFrameBytes: 4096, log: () => {}, requirePeerKeys: false });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('signaling server', () => {
  it('introduces peers, announces arrivals and departures', async () => {
    const a = await joined('room', 'a');
    expect(a.peers).toEqual([]);
    const b = await joined('room', 'b');
    expect(b.peers).toEqual(['a']);
    expect(await a.c.next()).toEqual({ type: 'peer-joined', room: 'room', peer: 'b' });
    b.c.close();
    expect(await a.c.next()).toEqual({ type: 'peer-left', room: 'room', peer: 'b' });
  });

  it('relays a signal to the addressed peer only', async () => {
    const a = await joined('room', 'a');
    const b = await joined('room', 'b');
    const c = await joined('room', 'c');
    await a.c.next((m) => m.type === 'peer-joined' && m.peer === 'c');
    await b.c.next((m) => m.type === 'peer-joined' && m.peer === 'c');
    a.c.send({ type: 'signal', room: 'room', to: 'c', data: { sdp: 'offer' } });
    expect(await c.c.next((m) => m.type === 'signal')).toEqual({
      type: 'signal',
      room: 'room',
      from: 'a',
      data: { sdp: 'offer' },
    });
    // b must not see it: send b a marker and check the signal did not come first.
    a.c.send({ type: 'signal', room: 'room', to: 'b', data: { marker: true } });
    expect(await b.c.next()).toMatchObject({ type: 'signal', data: { marker: true } });
  });

  it('keeps rooms apart', async () => {
    const a = await joined('one', 'a');
    await joined('two', 'b');
    a.c.send({ type: 'signal', room: 'one', to: 'b', data: {} });
    expect(await a.c.next()).toMatchObject({ type: 'error', code: ErrorCode.UNKNOWN_TARGET });
  });

  it('refuses a peer id already held in the room', async () => {
    await joined('room', 'a');
    const imposter = await client();
    imposter.send({ type: 'join', room: 'room', peer: 'a' });
    expect(await imposter.next()).toMatchObject({ type: 'error', code: ErrorCode.PEER_ID_TAKEN });
  });

  it('answers every kind of malformed frame with a typed error and keeps serving everyone', async () => {
    const a = await joined('room', 'a');
    const b = await joined('room', 'b');
    await a.c.next((m) => m.type === 'peer-joined');
    const bad = await joined('room', 'bad');
    const cases: Array<[string | Uint8Array, ErrorCode]> = [
      ['this is not json', ErrorCode.BAD_JSON],
      ['{"type":"join","room":42,"peer":true}', ErrorCode.BAD_FRAME],
      [JSON.stringify({ type: 'signal', room: 'room', to: 'a', data: { sdp: 'x'.repeat(8000) } }), ErrorCode.FRAME_TOO_LARGE],
      ['{"type":"teleport","to":"a"}', ErrorCode.UNKNOWN_TYPE],
      ['{"type":"signal","room":"room","to":"ghost","data":{}}', ErrorCode.UNKNOWN_TARGET],
      ['{"type":"signal","room":"elsewhere","to":"a","data":{}}', ErrorCode.NOT_IN_ROOM],
      [Uint8Array.of(0, 1, 2, 255), ErrorCode.BINARY_FRAME],
    ];
    for (const [frame, code] of cases) {
      bad.c.send(frame);
      const reply = await bad.c.next();
      expect(reply).toMatchObject({ type: 'error', code });
    }
    // The misbehaving connection and everyone else are still served.
    a.c.send({ type: 'signal', room: 'room', to: 'b', data: { still: 'alive' } });
    expect(await b.c.next((m) => m.type === 'signal')).toMatchObject({ from: 'a', data: { still: 'alive' } });
    bad.c.send({ type: 'signal', room: 'room', to: 'a', data: { ok: 1 } });
    expect(await a.c.next((m) => m.type === 'signal')).toMatchObject({ from: 'bad' });
    expect(server.stats()).toEqual({ rooms: 1, peers: 3, connections: 3 });
  });

  it('closes a frame over the hard limit without affecting others', async () => {
    const a = await joined('room', 'a');
    const huge = await client();
    huge.send('x'.repeat(2 * 1024 * 1024));
    expect((await huge.closed).code).toBe(1009);
    a.c.send({ type: 'leave', room: 'room' });
    const stillThere = await joined('room', 'z');
    expect(stillThere.peers).toEqual([]);
  });

  it('reports health over HTTP', async () => {
    await joined('room', 'a');
    const res = await fetch(server.url.replace('ws://', 'http://').replace('/signal', '/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', rooms: 1, peers: 1, connections: 1 });
  });

  it('validates its options with a named field', async () => {
    await expect(createSignalingServer({ port: -1 })).rejects.toMatchObject({ code: ErrorCode.BAD_CONFIG });
    await expect(createSignalingServer({ port: 0, sampleSize: 0 })).rejects.toThrow(/sampleSize/);
  });
});
