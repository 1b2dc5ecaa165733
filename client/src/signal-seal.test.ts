import { describe, expect, it } from 'vitest';
import { ErrorCode, type MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { PBKDF2_ITERATIONS, SignalSeal, deriveRoomKey, isSealed, openEnvelope, sealEnvelope } from './signal-seal.js';

const offer = { sid: 'abc', n: 0, sp: { type: 'offer', sdp: 'v=0\r\na=fingerprint:sha-256 AA:BB' } };

describe('sealed signaling envelopes', () => {
  it('uses at least 100,000 PBKDF2 rounds by default', () => {
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(100_000);
  });

  it('seals so that only routing survives, and opens with the same password, room and direction', async () => {
    const key = await deriveRoomKey('hunter2', 'room', 1000);
    const sealed = await sealEnvelope(key, 'room', 'alice', 'bob', offer);
    expect(Object.keys(sealed)).toEqual(['sealed']);
    expect(JSON.stringify(sealed)).not.toContain('fingerprint');
    expect(isSealed(sealed)).toBe(true);
    expect(await openEnvelope(key, 'room', 'alice', 'bob', sealed)).toEqual(offer);
    // Two seals of the same envelope differ (random IV).
    expect((await sealEnvelope(key, 'room', 'alice', 'bob', offer)).sealed).not.toBe(sealed.sealed);
  });

  it.each([
    ['a wrong password', 'wrong', 'room', 'alice', 'bob'],
    ['another room (salt and additional data)', 'hunter2', 'other', 'alice', 'bob'],
    ['a re-addressed envelope', 'hunter2', 'room', 'alice', 'carol'],
    ['a forged sender', 'hunter2', 'room', 'mallory', 'bob'],
  ])('refuses %s with BAD_SEAL', async (_name, password, room, from, to) => {
    const sealed = await sealEnvelope(await deriveRoomKey('hunter2', 'room', 1000), 'room', 'alice', 'bob', offer);
    const key = await deriveRoomKey(password, room, 1000);
    await expect(openEnvelope(key, room, from, to, sealed)).rejects.toMatchObject({ code: ErrorCode.BAD_SEAL });
  });

  it('refuses unsealed, truncated and tampered envelopes', async () => {
    const key = await deriveRoomKey('pw', 'room', 1000);
    const sealed = await sealEnvelope(key, 'room', 'a', 'b', offer);
    const flipped = sealed.sealed.slice(0, 20) + (sealed.sealed[20] === 'A' ? 'B' : 'A') + sealed.sealed.slice(21);
    for (const bad of [offer, { sealed: 'AAAA' }, { sealed: flipped }, { sealed: '!!' }, null, 'x']) {
      await expect(openEnvelope(key, 'room', 'a', 'b', bad)).rejects.toMatchObject({ code: ErrorCode.BAD_SEAL });
    }
  });

  it('keeps each peer\'s order through async crypto, and counts what does not open', async () => {
    const dropped: MurmurError[] = [];
    const alice = new SignalSeal({ room: 'room', selfId: 'alice', password: 'pw', iterations: 1000, onDropped: () => {} });
    const bob = new SignalSeal({ room: 'room', selfId: 'bob', password: 'pw', iterations: 1000, onDropped: (_f, e) => dropped.push(e) });
    const eve = new SignalSeal({ room: 'room', selfId: 'eve', password: 'guess', iterations: 1000, onDropped: () => {} });
    const received: JsonValue[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const N = 50;
    for (let n = 0; n < N; n++) {
      // Sizes vary so the crypto of each envelope takes a different time.
      alice.seal('bob', { sid: 's', n, pad: 'x'.repeat((n * 997) % 3000) }, (_to, sealed) =>
        bob.open('alice', sealed, (_from, plain) => {
          received.push((plain as { n: number }).n);
          if (received.length === N) done();
        }),
      );
    }
    await all;
    expect(received).toEqual(Array.from({ length: N }, (_, n) => n));
    // A tab with another password: its envelopes are dropped and counted, never delivered.
    let delivered = 0;
    await new Promise<void>((resolve) => eve.seal('bob', offer, (_to, sealed) => {
      bob.open('eve', sealed, () => (delivered += 1));
      bob.open('eve', offer, () => (delivered += 1)); // unsealed
      resolve();
    }));
    await bob.ready();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect.poll(() => bob.dropped).toBe(2);
    expect(delivered).toBe(0);
    expect(dropped.map((e) => e.code)).toEqual([ErrorCode.BAD_SEAL, ErrorCode.BAD_SEAL]);
  });

  it('delivers nothing after stop()', async () => {
    const seal = new SignalSeal({ room: 'r', selfId: 'a', password: 'pw', iterations: 1000, onDropped: () => {} });
    let sent = 0;
    seal.seal('b', offer, () => (sent += 1));
    seal.stop();
    await seal.ready();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toBe(0);
  });
});
