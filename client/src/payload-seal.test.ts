/**
 * End-to-end payload encryption, below the room: the sealed forms round-trip,
 * and a wrong key, a tampered byte, another sender, addressee, path or room
 * each fail to open with BAD_SEAL; the app channels and the members list
 * count and drop what does not open, never throw; and everything keeps its
 * order while the key is still being derived.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Presence } from '../../shared/src/engine/types.js';
import { ClientIdBinding } from '../../shared/src/doc/client-id.js';
import { createPrng } from '../../shared/src/prng.js';
import { ErrorCode } from '../../shared/src/errors.js';
import { fromBase64Url, toBase64Url } from '../../shared/src/signaling.js';
import { AppChannels } from './channels.js';
import { Channel, decodeFrame, encodeFrame } from './channel-codec.js';
import type { RoomMessage } from './app-message.js';
import { MAX_PRESENCE_BYTES } from './options.js';
import { derivePayloadKey, payloadKeyFromBits } from './payload-seal-key.js';
import {
  NONCE_BYTES,
  PAYLOAD_OVERHEAD,
  PayloadSeal,
  SEALED_CHANNEL,
  SEALED_PRESENCE_KEY,
  openPayload,
  openPresence,
  sealPayload,
  sealPresence,
  sealedPresenceBytes,
  type PayloadAddress,
} from './payload-seal.js';
import { Members } from './room-members.js';
import { LocalPresence } from './room-presence.js';
import { AWARENESS_KEY } from './awareness.js';

const keyOf = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const KEY = keyOf(1);
const encoder = new TextEncoder();
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const frame = encodeFrame({ channel: Channel.MESSAGE, topic: 'chat', data: { said: 'meet at the old mill' } });
const broadcast: PayloadAddress = { room: 'room', from: 'alice' };

describe('sealed payloads', () => {
  it('round-trip, add 41 bytes, show no plaintext and differ every time (random nonce)', () => {
    const sealed = sealPayload(KEY, broadcast, frame);
    expect(sealed.length).toBe(frame.length + PAYLOAD_OVERHEAD);
    expect(PAYLOAD_OVERHEAD).toBe(41);
    expect(sealed[0]).toBe(SEALED_CHANNEL);
    expect(text(sealed)).not.toContain('old mill');
    expect(text(sealed)).not.toContain('chat');
    expect(openPayload(KEY, broadcast, sealed)).toEqual(frame);
    expect(sealPayload(KEY, broadcast, frame)).not.toEqual(sealed);
    const routed = { room: 'room', from: 'alice', to: 'bob' };
    expect(openPayload(KEY, routed, sealPayload(KEY, routed, frame))).toEqual(frame);
    // An empty frame seals too (nothing is empty on the wire, but nothing breaks either).
    expect(openPayload(KEY, broadcast, sealPayload(KEY, broadcast, new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  it.each<[string, Uint8Array, PayloadAddress, PayloadAddress]>([
    ['a wrong key', keyOf(2), broadcast, broadcast],
    ['another sender (re-attributed)', KEY, broadcast, { room: 'room', from: 'mallory' }],
    ['another room', KEY, broadcast, { room: 'other', from: 'alice' }],
    ['a broadcast taken for a direct message', KEY, broadcast, { room: 'room', from: 'alice', to: 'bob' }],
    ['a direct message taken for a broadcast', KEY, { room: 'room', from: 'alice', to: 'bob' }, broadcast],
    ['a re-addressed direct message', KEY, { room: 'room', from: 'alice', to: 'bob' }, { room: 'room', from: 'alice', to: 'carol' }],
    // Length-prefixed fields: moving a character across the boundary of two ids changes the additional data.
    ['ids cut elsewhere', KEY, { room: 'room', from: 'ab', to: 'c' }, { room: 'room', from: 'a', to: 'bc' }],
  ])('refuses %s with BAD_SEAL', (_name, openKey, sealedFor, openedAs) => {
    const sealed = sealPayload(KEY, sealedFor, frame);
    expect(() => openPayload(openKey, openedAs, sealed)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SEAL }));
  });

  it('refuses every flipped bit (nonce, ciphertext, tag), truncations and unsealed frames', () => {
    const sealed = sealPayload(KEY, broadcast, frame);
    let refused = 0;
    for (let i = 0; i < sealed.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = sealed.slice();
        bad[i] = (bad[i] as number) ^ bit;
        expect(() => openPayload(KEY, broadcast, bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SEAL }));
        refused += 1;
      }
    }
    expect(refused).toBe(2 * sealed.length);
    for (const bad of [sealed.subarray(0, PAYLOAD_OVERHEAD - 1), sealed.subarray(0, sealed.length - 1), new Uint8Array(0), frame, Uint8Array.of(SEALED_CHANNEL)]) {
      expect(() => openPayload(KEY, broadcast, bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SEAL }));
    }
  });
});

describe('sealed presence', () => {
  const presence: Presence = { name: 'Ann', cursor: { x: 10, y: 20 }, [AWARENESS_KEY]: { clientID: 7, state: { user: 'Ann' } } };

  it('is one $sealed string, round-trips, and shows none of the presence', () => {
    const sealed = sealPresence(KEY, 'room', 'alice', presence);
    expect(Object.keys(sealed)).toEqual([SEALED_PRESENCE_KEY]);
    const json = JSON.stringify(sealed);
    for (const plain of ['Ann', 'cursor', 'clientID', 'user']) expect(json).not.toContain(plain);
    expect(openPresence(KEY, 'room', 'alice', sealed)).toEqual(presence);
    expect(sealPresence(KEY, 'room', 'alice', presence)).not.toEqual(sealed);
    expect(openPresence(KEY, 'room', 'alice', {})).toEqual({});
  });

  it('refuses a wrong key, another owner, another room, tampering and unsealed presence with BAD_SEAL', () => {
    const sealed = sealPresence(KEY, 'room', 'alice', presence);
    const bytes = fromBase64Url(sealed[SEALED_PRESENCE_KEY] as string)!;
    const flipped = (at: number) => {
      const bad = bytes.slice();
      bad[at] = (bad[at] as number) ^ 1;
      return { [SEALED_PRESENCE_KEY]: toBase64Url(bad) };
    };
    const cases: Array<[Uint8Array, string, string, Presence]> = [
      [keyOf(2), 'room', 'alice', sealed],
      [KEY, 'room', 'mallory', sealed],
      [KEY, 'other', 'alice', sealed],
      [KEY, 'room', 'alice', flipped(0)],
      [KEY, 'room', 'alice', flipped(NONCE_BYTES + 3)],
      [KEY, 'room', 'alice', flipped(bytes.length - 1)],
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: 'AAAA' }],
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: '!!' }],
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: 5 }],
      [KEY, 'room', 'alice', { ...sealed, name: 'Ann' }],
      [KEY, 'room', 'alice', { name: 'Ann' }],
      // Sealed right, but not a JSON object, or not JSON.
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: sealedText('[1,2]') }],
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: sealedText('null') }],
      [KEY, 'room', 'alice', { [SEALED_PRESENCE_KEY]: sealedText('{"a":') }],
    ];
    for (const [key, room, from, value] of cases) {
      expect(() => openPresence(key, room, from, value)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SEAL }));
    }
  });

  it('has an exact sealed size: an app presence at the limit fits the engine limit a password room sets', () => {
    // Every remainder of base64url's groups of three.
    for (const size of [8, 9, 10, 100, 1000, MAX_PRESENCE_BYTES - 2, MAX_PRESENCE_BYTES - 1, MAX_PRESENCE_BYTES]) {
      const value: Presence = { p: 'x'.repeat(size - '{"p":""}'.length) };
      expect(JSON.stringify(value).length).toBe(size);
      expect(JSON.stringify(sealPresence(KEY, 'room', 'alice', value)).length).toBe(sealedPresenceBytes(size));
    }
    // 4096 bytes of app JSON travel as 5,529 bytes: +40 bytes of nonce and tag, then base64url's 4/3, then the wrapper.
    expect(sealedPresenceBytes(MAX_PRESENCE_BYTES)).toBe(5529);
  });
});

/** A sealed presence's string whose plaintext is any `text`, sealed right (alice's, in 'room'), to test what the opener checks after the tag. */
function sealedText(text: string): string {
  const e = encoding.createEncoder();
  for (const field of ['murmur-presence-seal/1', 'room', 'alice']) encoding.writeVarString(e, field);
  const nonce = new Uint8Array(NONCE_BYTES).fill(9);
  const ct = xchacha20poly1305(KEY, nonce, encoding.toUint8Array(e)).encrypt(encoder.encode(text));
  const out = new Uint8Array(NONCE_BYTES + ct.length);
  out.set(nonce);
  out.set(ct, NONCE_BYTES);
  return toBase64Url(out);
}

describe('the payload key', () => {
  it('is HKDF of the PBKDF2 bits signal-seal uses, 32 bytes, per password and room, and not the signaling key', async () => {
    const subtle = globalThis.crypto.subtle;
    const material = await subtle.importKey('raw', encoder.encode('pw'), 'PBKDF2', false, ['deriveBits']);
    const bits = new Uint8Array(await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode('room'), iterations: 1000 }, material, 256));
    const key = await derivePayloadKey('pw', 'room', 1000);
    expect(key.length).toBe(32);
    expect(key).toEqual(payloadKeyFromBits(bits));
    expect(key).not.toEqual(bits);
    expect(await derivePayloadKey('pw2', 'room', 1000)).not.toEqual(key);
    expect(await derivePayloadKey('pw', 'room2', 1000)).not.toEqual(key);
  });
});

describe('PayloadSeal', () => {
  it('queues every step until the key is in, runs them in order (steps added meanwhile after them), then runs steps at once', async () => {
    let resolve!: (key: Uint8Array) => void;
    const seal = new PayloadSeal({ room: 'room', selfId: 'alice', key: new Promise((r) => (resolve = r)) });
    const ran: string[] = [];
    seal.after(() => {
      ran.push('a');
      seal.after(() => ran.push('c'));
    });
    seal.after(() => ran.push('b'));
    expect(seal.ready).toBe(false);
    expect(() => seal.seal(undefined, frame)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SEAL }));
    expect(ran).toEqual([]);
    resolve(KEY);
    await Promise.resolve();
    await Promise.resolve();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(seal.ready).toBe(true);
    seal.after(() => ran.push('d'));
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(seal.open('alice', seal.seal('alice', frame), true)).toEqual(frame);
  });

  it('a step that throws does not stop the rest; after stop() nothing runs', async () => {
    const errors: unknown[] = [];
    const seal = new PayloadSeal({ room: 'room', selfId: 'alice', key: Promise.resolve(KEY), onStepError: (e) => errors.push(e) });
    const ran: number[] = [];
    seal.after(() => {
      throw new Error('boom');
    });
    seal.after(() => ran.push(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toEqual([1]);
    expect(errors).toHaveLength(1);
    const stopped = new PayloadSeal({ room: 'room', selfId: 'alice', key: Promise.resolve(KEY) });
    stopped.after(() => ran.push(2));
    stopped.stop();
    await new Promise((r) => setTimeout(r, 0));
    stopped.after(() => ran.push(3));
    expect(ran).toEqual([1]);
  });
});

/** Two app-channel ends, sealed under `keys[i]`, whose engines are capture arrays. */
function channelPair(keys: [Uint8Array, Uint8Array]) {
  const ends = (['alice', 'bob'] as const).map((selfId, i) => {
    const doc = new Y.Doc();
    // As the room does (room-session.ts): a clientID the peer id owns, or its broadcasts would be refused.
    const binding = new ClientIdBinding({ doc, selfId, random: createPrng(i + 1).next });
    const awareness = new Awareness(doc);
    const sent: Array<{ to?: string; payload: Uint8Array }> = [];
    const messages: RoomMessage[] = [];
    const malformed: Array<{ from: string; code: string }> = [];
    const seal = new PayloadSeal({ room: 'room', selfId, key: Promise.resolve(keys[i] as Uint8Array) });
    const channels = new AppChannels({
      selfId,
      doc,
      awareness,
      origin: 'murmur',
      broadcast: (payload) => sent.push({ payload }),
      route: (to, payload) => sent.push({ to, payload }),
      publishAwareness: () => {},
      onMessage: (m) => messages.push(m),
      onMalformed: (info) => malformed.push(info),
      random: () => 0.5,
      syncIntervalMs: 60_000,
      seal,
    });
    return { selfId, doc, binding, awareness, sent, messages, malformed, seal, channels };
  });
  cleanups.push(() => {
    for (const end of ends) {
      end.channels.stop();
      end.awareness.destroy();
      end.binding.destroy();
    }
  });
  return ends as [(typeof ends)[0], (typeof ends)[0]];
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('app channels with a room password', () => {
  it('send sealed doc updates and messages; the peer opens them, and counts and drops what does not open', async () => {
    const [alice, bob] = channelPair([KEY, KEY]);
    await settle();
    alice.doc.getText('t').insert(0, 'the secret plan');
    alice.channels.send({ topic: 'chat', data: 'meet at the old mill', to: undefined });
    alice.channels.send({ topic: 'dm', data: 'just you', to: 'bob' });
    expect(alice.sent).toHaveLength(3);
    for (const { payload } of alice.sent) {
      expect(payload[0]).toBe(SEALED_CHANNEL);
      for (const plain of ['secret plan', 'old mill', 'just you', 'chat']) expect(text(payload)).not.toContain(plain);
    }
    for (const { to, payload } of alice.sent) bob.channels.receive('alice', payload, to !== undefined);
    expect(bob.doc.getText('t').toString()).toBe('the secret plan');
    expect(bob.messages.map((m) => [m.topic, m.data, m.direct])).toEqual([
      ['chat', 'meet at the old mill', false],
      ['dm', 'just you', true],
    ]);
    expect(bob.channels.malformed).toBe(0);

    // Re-attributed, tampered, replayed as the other path, unsealed: each counted once, none thrown.
    const message = alice.sent[1]!.payload;
    const tampered = message.slice();
    tampered[message.length - 5] = (tampered[message.length - 5] as number) ^ 1;
    const bad: Array<[string, Uint8Array, boolean]> = [
      ['carol', message, false],
      ['alice', tampered, false],
      ['alice', message, true],
      ['alice', alice.sent[2]!.payload, false],
      ['alice', frame, false],
      ['alice', new Uint8Array(0), false],
    ];
    for (const [from, payload, direct] of bad) expect(() => bob.channels.receive(from, payload, direct)).not.toThrow();
    expect(bob.channels.malformed).toBe(bad.length);
    expect(bob.malformed.every((m) => m.code === ErrorCode.BAD_SEAL)).toBe(true);
    expect(bob.messages).toHaveLength(2);
  });

  it('a peer under another key opens nothing: every payload counted as malformed', async () => {
    const [alice, eve] = channelPair([KEY, keyOf(9)]);
    await settle();
    alice.doc.getMap('m').set('k', 'v');
    alice.channels.send({ topic: 'chat', data: 'hi', to: undefined });
    for (const { payload } of alice.sent) eve.channels.receive('alice', payload, false);
    expect(eve.channels.malformed).toBe(2);
    expect(eve.doc.getMap('m').size).toBe(0);
    expect(eve.messages).toHaveLength(0);
  });

  it('an unsealed room does not open sealed payloads either (they are bad wire bytes there)', async () => {
    const [alice] = channelPair([KEY, KEY]);
    await settle();
    alice.channels.send({ topic: 'chat', data: 'hi', to: undefined });
    expect(() => decodeFrame(alice.sent[0]!.payload)).toThrow(/unknown channel 7/);
  });
});

describe('presence with a room password', () => {
  it('LocalPresence hands the engine only sealed presence (queued until the key is in); Members opens it and drops what does not open', async () => {
    let resolve!: (key: Uint8Array) => void;
    const aliceSeal = new PayloadSeal({ room: 'room', selfId: 'alice', key: new Promise((r) => (resolve = r)) });
    const inputs: Presence[] = [];
    const driver = { input: (i: { type: string; presence?: Presence }) => void (i.type === 'set-presence' && inputs.push(i.presence!)) };
    const local = new LocalPresence(driver as never, { name: 'Ann' }, { clientID: 1, state: {} }, aliceSeal);
    local.announce();
    local.update({ cursor: 3 });
    expect(() => local.update({ big: 'x'.repeat(MAX_PRESENCE_BYTES) })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    expect(inputs).toEqual([]);
    expect(local.app()).toEqual({ name: 'Ann', cursor: 3 });
    resolve(KEY);
    await settle();
    // One publish of the latest presence once the key is in; then one per change, at once.
    expect(inputs).toHaveLength(1);
    local.update({ cursor: 4 });
    expect(inputs).toHaveLength(2);
    for (const sealed of inputs) {
      expect(Object.keys(sealed)).toEqual([SEALED_PRESENCE_KEY]);
      expect(JSON.stringify(sealed)).not.toContain('Ann');
    }
    // The biggest presence the app may set fits the engine's password-room limit once sealed.
    const near = 'x'.repeat(MAX_PRESENCE_BYTES - JSON.stringify({ ...local.app(), [AWARENESS_KEY]: { clientID: 1, state: {} }, pad: '' }).length);
    local.update({ pad: near });
    expect(JSON.stringify(inputs[2]).length).toBeLessThanOrEqual(sealedPresenceBytes(MAX_PRESENCE_BYTES));

    const members = new Members({ seal: new PayloadSeal({ room: 'room', selfId: 'bob', key: Promise.resolve(KEY) }) });
    cleanups.push(() => members.close());
    await settle();
    const bad: string[] = [];
    const seen: Presence[] = [];
    members.on('malformed', (info) => bad.push(info.code));
    members.on('join', (info) => seen.push(info.presence));
    members.on('presence', (info) => seen.push(info.presence));
    members.joined('alice', inputs[0]!);
    expect(members.view.get('alice')?.presence).toEqual({ name: 'Ann', cursor: 3 });
    members.presence('alice', inputs[1]!);
    expect(members.view.get('alice')?.presence).toEqual({ name: 'Ann', cursor: 4 });
    // Alice's sealed presence passed off as carol's, a forged plain one, another key's: dropped, counted, alice unchanged.
    members.presence('alice', { name: 'Mallory' });
    members.presence('alice', sealPresence(keyOf(3), 'room', 'alice', { name: 'Mallory' }));
    members.joined('carol', inputs[1]!);
    expect(bad).toEqual([ErrorCode.BAD_SEAL, ErrorCode.BAD_SEAL, ErrorCode.BAD_SEAL]);
    expect(members.view.get('alice')?.presence).toEqual({ name: 'Ann', cursor: 4 });
    expect(members.view.has('carol')).toBe(false);
    expect(seen).toEqual([{ name: 'Ann', cursor: 3 }, { name: 'Ann', cursor: 4 }]);
  });
});

describe('mutated sealed input (seeded)', () => {
  it('20,000 mutated payloads into sealed app channels and 5,000 mutated presences into members: nothing escapes, every one counted', async () => {
    const rng = createPrng(13);
    const [alice, bob] = channelPair([KEY, KEY]);
    await settle();
    alice.doc.getText('t').insert(0, 'x'.repeat(300));
    alice.channels.send({ topic: 'chat', data: { n: 1 }, to: undefined });
    alice.channels.send({ topic: 'dm', data: Uint8Array.of(1, 2, 3), to: 'bob' });
    const seeds = alice.sent.map((s) => ({ payload: s.payload, direct: s.to !== undefined }));
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const out = rng.next() < 0.2 ? bytes.subarray(0, rng.int(bytes.length + 1)).slice() : bytes.slice();
      const flips = 1 + rng.int(4);
      for (let i = 0; i < flips && out.length > 0; i++) out[rng.int(out.length)] = rng.int(256);
      return out;
    };
    let sent = 0;
    for (let i = 0; i < 20_000; i++) {
      const seed = seeds[rng.int(seeds.length)]!;
      const payload = mutate(seed.payload);
      // A mutation that leaves the bytes as they were is a real payload: it must open, not count.
      const same = payload.length === seed.payload.length && payload.every((b, j) => b === seed.payload[j]);
      if (same) continue;
      sent += 1;
      expect(() => bob.channels.receive('alice', payload, seed.direct)).not.toThrow();
    }
    expect(bob.channels.malformed).toBe(sent);
    expect(bob.messages).toHaveLength(0);
    expect(bob.doc.getText('t').length).toBe(0);

    const members = new Members({ seal: new PayloadSeal({ room: 'room', selfId: 'bob', key: Promise.resolve(KEY) }) });
    cleanups.push(() => members.close());
    await settle();
    let bad = 0;
    members.on('malformed', () => (bad += 1));
    const genuine = sealPresence(KEY, 'room', 'alice', { name: 'Ann' })[SEALED_PRESENCE_KEY] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/!';
    let tried = 0;
    for (let i = 0; i < 5_000; i++) {
      const chars = [...genuine];
      for (let k = 1 + rng.int(3); k > 0; k--) chars[rng.int(chars.length)] = alphabet[rng.int(alphabet.length)]!;
      const text = chars.join('').slice(0, rng.next() < 0.2 ? rng.int(genuine.length) : genuine.length);
      if (text === genuine) continue;
      tried += 1;
      expect(() => members.presence('alice', { [SEALED_PRESENCE_KEY]: text })).not.toThrow();
    }
    expect(bad).toBe(tried);
    expect(members.view.has('alice')).toBe(false);
  });
});
