/**
 * Issue 13, self-certifying ids on the server: a join must carry the public
 * key its peer id derives from and a signature over this socket's challenge.
 * What this blocks: "one room token joins under any peer id" (taking a
 * dropped victim's id and receiving the offers meant for it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../client/src/identity.js';
import { ErrorCode } from '../../shared/src/errors.js';
import { CHALLENGE_BYTES, derivePeerId, fromBase64Url, joinProofMessage, toBase64Url } from '../../shared/src/signaling.js';
import { createChallenges } from './peer-proof.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectTestClient, joinRoom, joinWithKey, metricValue, signedJoin, type TestClient } from './test-client.js';
import type { SignalingServerOptions } from './config.js';

const SECRET = 'peer-proof-secret-xyz';
let server: SignalingServer | undefined;
const clients: TestClient[] = [];

async function start(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, log: () => {}, ...options });
  return server;
}

async function client(url: string): Promise<TestClient> {
  const c = await connectTestClient(url);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

describe('self-certifying ids on join', () => {
  it('admits a join signed by the key its id derives from, and names the derived id to others', async () => {
    const { url } = await start();
    const alice = createIdentity();
    const bob = createIdentity();
    const a = await client(url);
    expect(await joinWithKey(a, 'room', alice)).toMatchObject({ type: 'joined', peer: alice.id, peers: [] });
    const b = await client(url);
    expect(await joinWithKey(b, 'room', bob)).toMatchObject({ type: 'joined', peer: bob.id, peers: [alice.id] });
    expect(await a.next((m) => m.type === 'peer-joined')).toMatchObject({ peer: bob.id });
    // A repeated join (a fresh sample) is signed over the same challenge and still passes.
    expect(await joinWithKey(a, 'room', alice)).toMatchObject({ type: 'joined', peers: [bob.id] });
  });

  it('refuses a client without the key for an id: taking a dropped victim\'s id fails', async () => {
    const { url } = await start();
    const victim = createIdentity();
    const attacker = createIdentity();
    const v = await client(url);
    await joinWithKey(v, 'room', victim);
    v.close();
    await v.closed;
    // The victim is gone (as after the slow-reader rule); its id is free on the server.
    const x = await client(url);
    const challenge = await x.challenge;
    // Its own key, the victim's id.
    x.send(signedJoin(attacker, challenge, 'room', victim.id));
    expect(await x.next()).toMatchObject({ type: 'error', code: ErrorCode.PEER_KEY_MISMATCH, ref: 'join' });
    // The victim's public key (public), its own signature.
    const forged = { ...signedJoin(attacker, challenge, 'room', victim.id), key: victim.publicKey };
    x.send(forged);
    expect(await x.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_PEER_PROOF, ref: 'join' });
    // No key at all.
    expect(await joinRoom(x, 'room', victim.id)).toMatchObject({ type: 'error', code: ErrorCode.BAD_PEER_PROOF });
    // A signed join from a test peer still works on the same socket: nothing above cost it the connection.
    expect(await joinWithKey(x, 'room', attacker)).toMatchObject({ type: 'joined', peer: attacker.id });
    expect(metricValue(server!.metrics(), 'murmur_signal_frames_rejected_total{reason="peer_key_mismatch"}')).toBe(1);
    expect(metricValue(server!.metrics(), 'murmur_signal_frames_rejected_total{reason="bad_peer_proof"}')).toBe(2);
  });

  it('refuses a replayed join: a captured frame is bound to the socket it was signed for', async () => {
    const { url } = await start();
    const victim = createIdentity();
    const v = await client(url);
    const captured = signedJoin(victim, await v.challenge, 'room');
    v.send(captured);
    await v.next((m) => m.type === 'joined');
    v.close();
    await v.closed;
    const replayer = await client(url);
    replayer.send(captured);
    expect(await replayer.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_PEER_PROOF });
    // Nor can it be moved to another room or id on the original socket's terms.
    const w = await client(url);
    const other = signedJoin(victim, await w.challenge, 'room');
    w.send({ ...other, room: 'elsewhere' });
    expect(await w.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_PEER_PROOF });
  });

  it('refuses a join whose token names another key, and admits the named one', async () => {
    const { url } = await start({ authSecret: SECRET });
    const owner = createIdentity();
    const thief = createIdentity();
    const token = createRoomToken({ room: 'room', expiresAt: Date.now() + 60_000, key: owner.publicKey }, SECRET);
    const t = await client(`${url}?token=${token}`);
    expect(await joinWithKey(t, 'room', thief)).toMatchObject({ type: 'error', code: ErrorCode.KEY_FORBIDDEN });
    expect(await joinRoom(t, 'room', 'anyone')).toMatchObject({ type: 'error', code: ErrorCode.KEY_FORBIDDEN });
    const o = await client(`${url}?token=${token}`);
    expect(await joinWithKey(o, 'room', owner)).toMatchObject({ type: 'joined', peer: owner.id });
  });

  it('a token key claim binds even when the server admits unkeyed joins', async () => {
    const { url } = await start({ authSecret: SECRET, requirePeerKeys: false });
    const owner = createIdentity();
    const token = createRoomToken({ room: '*', expiresAt: Date.now() + 60_000, key: owner.publicKey }, SECRET);
    const c = await client(`${url}?token=${token}`);
    expect(await joinRoom(c, 'room', 'plain-id')).toMatchObject({ type: 'error', code: ErrorCode.KEY_FORBIDDEN });
    // Without a claim, an unkeyed join passes there, and a keyed one is still checked.
    const open = await client(`${url}?token=${createRoomToken({ room: '*', expiresAt: Date.now() + 60_000 }, SECRET)}`);
    expect(await joinRoom(open, 'room', 'plain-id')).toMatchObject({ type: 'joined', peer: 'plain-id' });
    open.send(signedJoin(createIdentity(), await open.challenge, 'room', 'not-derived'));
    expect(await open.next()).toMatchObject({ type: 'error', code: ErrorCode.PEER_KEY_MISMATCH });
  });

  it('refuses malformed keys and signatures as bad frames, and never throws on a key that is not a curve point', async () => {
    const { url } = await start();
    const c = await client(url);
    const challenge = await c.challenge;
    const me = createIdentity();
    const good = signedJoin(me, challenge, 'room');
    c.send({ ...good, key: 'short' });
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_FRAME });
    c.send({ ...good, sig: undefined });
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_FRAME });
    // 32 bytes that decode to no point on the curve, with the id they hash to.
    const junk = new Uint8Array(32).fill(0xff);
    c.send({ type: 'join', room: 'room', peer: derivePeerId(junk), key: toBase64Url(junk), sig: good.type === 'join' ? good.sig : '' });
    expect(await c.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_PEER_PROOF });
    // Still serving.
    expect(await joinWithKey(c, 'room', me)).toMatchObject({ type: 'joined' });
  });

  it('the proof message binds context, challenge, room and id', () => {
    const a = joinProofMessage('c', 'r', 'p');
    expect(new TextDecoder().decode(a)).toBe('murmur-signal-join/1\nc\nr\np');
    expect(fromBase64Url(toBase64Url(a))).toEqual(a);
  });
});

describe('createChallenges', () => {
  it('gives each socket number its own challenge, the same one at every join, and another server other ones', () => {
    const challengeOf = createChallenges();
    const other = createChallenges();
    const seen = new Set<string>();
    for (let serial = 0; serial < 1000; serial++) {
      const challenge = challengeOf(serial);
      expect(fromBase64Url(challenge)?.length).toBe(CHALLENGE_BYTES);
      expect(challengeOf(serial)).toBe(challenge);
      expect(other(serial)).not.toBe(challenge);
      seen.add(challenge);
    }
    expect(seen.size).toBe(1000);
  });
});
