import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import type { EngineOutput } from '../engine/types.js';
import { ErrorCode } from '../errors.js';
import { createPrng } from '../prng.js';
import { derivePeerId } from '../signaling.js';
import { Room } from '../sim/room.js';
import { signedData, simTrust } from '../sim/sim-trust.js';
import { GossipEngine } from './gossip-engine.js';
import { dataSigned, ed25519Trust } from './trust.js';
import { decodeFrame, encodeGossipFrame } from './wire/frames.js';
import { encodeGossipBody } from './wire/gossip-body.js';
import { DEFAULT_WIRE_LIMITS } from './wire/limits.js';

const payload = new TextEncoder().encode('hello');

/** Engine `a` linked to `x` and `y`: what it delivers and relays of a frame from `x`. */
function linked(): { a: GossipEngine; receive: (bytes: Uint8Array, at: number) => EngineOutput[] } {
  const a = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: simTrust('a') });
  a.handle({ type: 'start' }, 0);
  a.handle({ type: 'link-up', peer: 'x' }, 1);
  a.handle({ type: 'link-up', peer: 'y' }, 1);
  return { a, receive: (bytes, at) => a.handle({ type: 'receive', from: 'x', bytes }, at) };
}

const delivered = (outputs: EngineOutput[]) => outputs.filter((o) => o.type === 'deliver').map((o) => (o.type === 'deliver' ? o.from : ''));
const gossipTo = (outputs: EngineOutput[], peer: string) =>
  outputs.filter((o) => o.type === 'send' && o.to === peer && decodeFrame(o.bytes, DEFAULT_WIRE_LIMITS).type === 'gossip').length;

/** A DATA body in `origin`'s name, signed by `signer` with its own key; `signedPayload`: what it signed, if not `body`. */
function signedBy(signer: string, origin: string, seq: number, body = payload, signedPayload = body): Uint8Array {
  if (signedPayload === body) return signedData(origin, seq, body, signer);
  const trust = simTrust(signer);
  return encodeGossipBody({ kind: 'data', payload: body, key: trust.publicKey, signature: trust.sign(dataSigned(origin, seq, signedPayload)) });
}

describe('signed app broadcasts (DATA)', () => {
  it('delivers and relays a DATA signed by its origin', () => {
    const { a, receive } = linked();
    const out = receive(encodeGossipFrame('o', 1, 1, signedData('o', 1, payload)), 2);
    expect(delivered(out)).toEqual(['o']);
    expect(a.stats.badSignatures).toBe(0);
  });

  it.each([
    ['signed with another member\'s key', () => signedBy('mallory', 'o', 1)],
    ['with its payload changed after signing', () => signedBy('o', 'o', 1, new TextEncoder().encode('HELLO'), payload)],
    ['signed for another sequence number', () => signedBy('o', 'o', 2)],
    ['signed for another origin', () => signedBy('o', 'p', 1)],
  ])('drops a DATA %s: not delivered, not relayed, reported', (_, body) => {
    const { a, receive } = linked();
    const out = receive(encodeGossipFrame('o', 1, 1, body()), 2);
    expect(delivered(out)).toEqual([]);
    const flushed = a.handle({ type: 'timer', timer: 'ihave' }, 1000);
    expect(gossipTo([...out, ...flushed], 'y')).toBe(0);
    expect(a.stats.badSignatures).toBe(1);
    expect(out.find((o) => o.type === 'malformed')).toMatchObject({ type: 'malformed', from: 'x', code: ErrorCode.BAD_SIGNATURE });
  });

  it('a forgery that arrives first does not shadow the genuine message with the same id', () => {
    const { a, receive } = linked();
    expect(delivered(receive(encodeGossipFrame('o', 1, 1, signedBy('mallory', 'o', 1, new TextEncoder().encode('forged'))), 2))).toEqual([]);
    const out = receive(encodeGossipFrame('o', 1, 1, signedData('o', 1, payload)), 3);
    expect(out.filter((o) => o.type === 'deliver').map((o) => (o.type === 'deliver' ? new TextDecoder().decode(o.payload) : ''))).toEqual(['hello']);
    expect(a.stats.badSignatures).toBe(1);
  });

  it('verifies each id once: a second copy of an accepted message is dropped by its id', () => {
    let verifications = 0;
    const trust = simTrust('a');
    const a = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: { ...trust, verify: (...args) => (verifications++, trust.verify(...args)) } });
    a.handle({ type: 'start' }, 0);
    a.handle({ type: 'link-up', peer: 'x' }, 1);
    const frame = encodeGossipFrame('o', 1, 1, signedData('o', 1, payload));
    a.handle({ type: 'receive', from: 'x', bytes: frame }, 2);
    a.handle({ type: 'receive', from: 'x', bytes: frame }, 3);
    expect(verifications).toBe(1);
    expect(a.stats.duplicates).toBe(1);
  });

  it('what a tab broadcasts is signed over its id: a room of four delivers it everywhere, none refused', () => {
    const room = new Room({ seed: 5 });
    for (const id of ['a', 'b', 'c', 'd']) room.sim.join(id, 0);
    room.sim.runUntil(5000);
    const got: string[] = [];
    room.sim.observers.push({ onEvent: (at, output) => output.type === 'deliver' && output.from === 'a' && got.push(at) });
    room.sim.command('a', { type: 'broadcast', payload }, 5000);
    room.sim.runUntil(8000);
    expect(got.sort()).toEqual(['b', 'c', 'd']);
    expect(['a', 'b', 'c', 'd'].map((id) => room.engine(id).stats.badSignatures)).toEqual([0, 0, 0, 0]);
  });

  it('refuses the retired unsigned DATA body as malformed', () => {
    const { receive } = linked();
    const unsigned = Uint8Array.of(6, payload.length, ...payload);
    const out = receive(encodeGossipFrame('o', 1, 1, unsigned), 2);
    expect(out.find((o) => o.type === 'malformed')).toMatchObject({ code: ErrorCode.BAD_WIRE });
    expect((out.find((o) => o.type === 'malformed') as { message: string }).message).toMatch(/unsigned DATA/);
    expect(delivered(out)).toEqual([]);
  });

  it('ed25519Trust: a key certifies its derived id (and a label before it), nothing else', () => {
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    const trust = ed25519Trust(publicKey, (message) => ed25519.sign(message, secret));
    const id = derivePeerId(publicKey);
    expect(trust.certifies(id, publicKey)).toBe(true);
    expect(trust.certifies(`keeper.${id}`, publicKey)).toBe(true);
    expect(trust.certifies(derivePeerId(ed25519.getPublicKey(ed25519.utils.randomSecretKey())), publicKey)).toBe(false);
    const message = dataSigned(id, 1, payload);
    expect(trust.verify(trust.sign(message), message, publicKey)).toBe(true);
    expect(trust.verify(trust.sign(message), dataSigned(id, 2, payload), publicKey)).toBe(false);
    expect(trust.verify(new Uint8Array(64), message, new Uint8Array(32).fill(255))).toBe(false); // not a curve point: false, no throw
  });
});
