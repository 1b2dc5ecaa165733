import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import type { Engine, EngineInput, EngineOutput } from '../../shared/src/engine/types.js';
import { GossipEngine } from '../../shared/src/gossip/gossip-engine.js';
import { ed25519Trust, presenceSigned, type EngineTrust } from '../../shared/src/gossip/trust.js';
import { encodeFrame, encodeGossipFrame } from '../../shared/src/gossip/wire/frames.js';
import { createPrng } from '../../shared/src/prng.js';
import { memberRecord, signedLeft, signedPresence, simTrust } from '../../shared/src/sim/sim-trust.js';
import { encodeGossipBody } from '../../shared/src/gossip/wire/gossip-body.js';
import { EngineDriver } from './engine-driver.js';
import { SignAhead } from './sign-ahead.js';
import { VerifyAhead } from './verify-ahead.js';

/** A trust whose own verifications are counted (noble, the engine's fallback). */
function counted(base: EngineTrust): { trust: EngineTrust; calls: () => number } {
  let calls = 0;
  return { trust: { ...base, verify: (...args) => (calls++, base.verify(...args)) }, calls: () => calls };
}

function part(valid: boolean) {
  const secret = ed25519.utils.randomSecretKey();
  const key = ed25519.getPublicKey(secret);
  const message = presenceSigned('o', 1, '{}');
  const signature = ed25519.sign(valid ? message : presenceSigned('o', 2, '{}'), secret);
  return { signature, message, key };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('VerifyAhead (WebCrypto ahead of the engine)', () => {
  it('answers the engine from verdicts computed ahead, true and false, without the fallback', async () => {
    const ahead = new VerifyAhead();
    const { trust, calls } = counted(simTrust('a'));
    const wrapped = ahead.trust(trust);
    const good = part(true);
    const bad = part(false);
    await ahead.prepare([good, bad]);
    expect(wrapped.verify(good.signature, good.message, good.key)).toBe(true);
    expect(wrapped.verify(bad.signature, bad.message, bad.key)).toBe(false);
    expect(calls()).toBe(0);
    expect(ahead.hits).toBe(2);
    // The same signature over other bytes is not the same verdict: the fallback decides.
    expect(wrapped.verify(good.signature, presenceSigned('o', 9, '{}'), good.key)).toBe(false);
    expect(calls()).toBe(1);
    expect(ahead.prepare([good])).toBeUndefined(); // known already: nothing to wait for
  });

  it('leaves everything to the fallback without WebCrypto Ed25519', async () => {
    const none = new VerifyAhead(null);
    expect(none.prepare([part(true)])).toBeUndefined();
    const unsupported = new VerifyAhead({
      importKey: () => Promise.reject(Object.assign(new Error('no Ed25519'), { name: 'NotSupportedError' })),
      verify: () => Promise.reject(new Error('unreachable')),
    });
    await unsupported.prepare([part(true)]);
    expect(unsupported.prepare([part(true)])).toBeUndefined();
    const { trust, calls } = counted(simTrust('a'));
    const good = part(true);
    expect(unsupported.trust(trust).verify(good.signature, good.message, good.key)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('lists only what the engine will ask about: an unseen id, a presence that is news', async () => {
    const engine = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: simTrust('a') });
    engine.handle({ type: 'start' }, 0);
    engine.handle({ type: 'link-up', peer: 'x' }, 1);
    const gossip = encodeGossipFrame('o', 1, 1, encodeGossipBody({ kind: 'presence', ...signedPresence('o', 3, { n: 1 }) }));
    expect(engine.signedParts(gossip)).toHaveLength(1);
    engine.handle({ type: 'receive', from: 'x', bytes: gossip }, 2);
    expect(engine.signedParts(gossip)).toHaveLength(0); // a duplicate now
    const records = (version: number) => encodeFrame({ type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records: [memberRecord('o', 0, 'alive', version, { n: version })] });
    expect(engine.signedParts(records(3))).toHaveLength(0); // held at that version
    expect(engine.signedParts(records(4))).toHaveLength(1);
    expect(engine.signedParts(Uint8Array.of(8, 1, 0))).toEqual([]); // a PING: not even decoded
    expect(engine.signedParts(encodeGossipFrame('o', 2, 1, encodeGossipBody(signedLeft('o', 0))))).toHaveLength(1);
    const leftRecord = encodeFrame({ type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records: [memberRecord('o', 0, 'left')] });
    expect(engine.signedParts(leftRecord)).toHaveLength(1); // o is alive here: its goodbye would be news
  });

  it('a tab\'s real trust (ed25519Trust) takes the verdicts: the engine verifies nothing itself', async () => {
    const secret = ed25519.utils.randomSecretKey();
    const ahead = new VerifyAhead();
    const { trust, calls } = counted(ed25519Trust(ed25519.getPublicKey(secret), (m) => ed25519.sign(m, secret)));
    const engine = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: ahead.trust({ ...trust, certifies: () => true }) });
    engine.handle({ type: 'start' }, 0);
    engine.handle({ type: 'link-up', peer: 'x' }, 1);
    const bytes = encodeGossipFrame('o', 1, 1, encodeGossipBody({ kind: 'presence', ...signedPresence('o', 3, { n: 1 }) }));
    await ahead.prepare(engine.signedParts(bytes));
    const out = engine.handle({ type: 'receive', from: 'x', bytes }, 2);
    expect(out.filter((o) => o.type === 'peer-join')).toHaveLength(1);
    expect(calls()).toBe(0);
  });
});

describe('EngineDriver with checks ahead', () => {
  /** An engine that records what it was fed, in order. */
  function recorder(): { engine: Engine; fed: string[] } {
    const fed: string[] = [];
    const engine: Engine = {
      handle(input: EngineInput): EngineOutput[] {
        fed.push(input.type === 'receive' ? `${input.from}:${input.bytes[0]}` : input.type === 'link-down' ? `${input.peer}:down` : input.type);
        return [];
      },
    } as unknown as Engine;
    return { engine, fed };
  }

  it('holds a link\'s later inputs behind a frame being checked, and no other link\'s', async () => {
    const { engine, fed } = recorder();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Frames starting with byte 1 carry signatures (they wait for the gate); others do not.
    const driver = new EngineDriver(engine, () => 0, () => {}, (input) => (input.type === 'receive' && input.bytes[0] === 1 ? gate : undefined));
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(1) });
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(2) });
    driver.input({ type: 'receive', from: 'y', bytes: Uint8Array.of(3) });
    driver.input({ type: 'link-down', peer: 'x' });
    driver.input({ type: 'start' });
    expect(fed).toEqual(['y:3', 'start']);
    release();
    await flush();
    expect(fed).toEqual(['y:3', 'start', 'x:1', 'x:2', 'x:down']);
  });

  it('a frame behind the released one that needs checking waits again; stop drops what waits', async () => {
    const { engine, fed } = recorder();
    const gates: Array<() => void> = [];
    const driver = new EngineDriver(engine, () => 0, () => {}, (input) => (input.type === 'receive' && input.bytes[0] === 1 ? new Promise<void>((resolve) => gates.push(resolve)) : undefined));
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(1) });
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(1) });
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(2) });
    gates[0]?.();
    await flush();
    expect(fed).toEqual(['x:1']);
    expect(gates).toHaveLength(2);
    driver.stop();
    gates[1]?.();
    await flush();
    expect(fed).toEqual(['x:1']);
  });

  it('the app\'s commands wait behind a presence being signed, links do not; a goodbye goes out at once, after them', async () => {
    const { engine, fed } = recorder();
    const gates: Array<() => void> = [];
    const driver = new EngineDriver(engine, () => 0, () => {}, (input) => (input.type === 'set-presence' ? new Promise<void>((resolve) => gates.push(resolve)) : undefined));
    driver.input({ type: 'set-presence', presence: { n: 1 } });
    driver.input({ type: 'broadcast', payload: Uint8Array.of(1) });
    driver.input({ type: 'receive', from: 'x', bytes: Uint8Array.of(2) });
    expect(fed).toEqual(['x:2']);
    gates[0]?.();
    await flush();
    expect(fed).toEqual(['x:2', 'set-presence', 'broadcast']);
    driver.input({ type: 'set-presence', presence: { n: 2 } });
    driver.input({ type: 'leave' });
    expect(fed).toEqual(['x:2', 'set-presence', 'broadcast', 'set-presence', 'leave']);
    gates[1]?.();
    await flush();
    expect(fed).toHaveLength(5);
  });
});

describe('SignAhead (WebCrypto signs our presence ahead of the engine)', () => {
  it('signs with WebCrypto what the engine will sign; the engine takes that signature, the same bytes noble gives', async () => {
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    const ahead = new SignAhead(secret, publicKey);
    let nobleSigns = 0;
    const base = ed25519Trust(publicKey, (m) => (nobleSigns++, ed25519.sign(m, secret)));
    const engine = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: ahead.trust({ ...base, certifies: () => true }) });
    engine.handle({ type: 'start' }, 0);
    const message = engine.presenceToSign({ name: 'a' });
    await ahead.prepare(message);
    engine.handle({ type: 'set-presence', presence: { name: 'a' } }, 1);
    expect(nobleSigns).toBe(0);
    expect(ahead.hits).toBe(1);
    const self = engine.member('a');
    expect(self?.presenceVersion).toBe(1);
    expect(ed25519.verify(self?.presenceSignature as Uint8Array, message as Uint8Array, publicKey)).toBe(true);
    expect([...(self?.presenceSignature ?? [])]).toEqual([...ed25519.sign(message as Uint8Array, secret)]);
    // Not signed ahead (another presence): the fallback signs it.
    engine.handle({ type: 'set-presence', presence: { name: 'b' } }, 2);
    expect(nobleSigns).toBe(1);
  });

  it('without a secret key (an identity the app built) or WebCrypto, nothing is signed ahead', () => {
    const publicKey = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    expect(new SignAhead(undefined, publicKey).prepare(Uint8Array.of(1))).toBeUndefined();
    expect(new SignAhead(new Uint8Array(32), publicKey, null).prepare(Uint8Array.of(1))).toBeUndefined();
  });

  it('a presence over the limit is not signed ahead: the engine refuses it as it always did', () => {
    const engine = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: simTrust('a'), limits: { maxPresenceBytes: 16 } });
    expect(engine.presenceToSign({ name: 'far too long for sixteen bytes' })).toBeUndefined();
  });
});
