import { describe, expect, it } from 'vitest';
import type { EngineOutput, Presence } from '../engine/types.js';
import { ErrorCode } from '../errors.js';
import { createPrng } from '../prng.js';
import { Room } from '../sim/room.js';
import { memberRecord, signedPresence, simTrust } from '../sim/sim-trust.js';
import { GossipEngine } from './gossip-engine.js';
import { presenceSigned } from './trust.js';
import { decodeFrame, encodeFrame, encodeGossipFrame, type MemberRecord } from './wire/frames.js';
import { encodeGossipBody } from './wire/gossip-body.js';
import { DEFAULT_WIRE_LIMITS } from './wire/limits.js';

/** Engine `a` linked to `x` and `y`, with `verify` counted: what it does with a frame from `x`. */
function linked() {
  const trust = simTrust('a');
  const counts = { verifications: 0 };
  const a = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: { ...trust, verify: (...args) => (counts.verifications++, trust.verify(...args)) } });
  a.handle({ type: 'start' }, 0);
  a.handle({ type: 'link-up', peer: 'x' }, 1);
  a.handle({ type: 'link-up', peer: 'y' }, 1);
  return { a, counts, receive: (bytes: Uint8Array, at: number) => a.handle({ type: 'receive', from: 'x', bytes }, at) };
}

const presenceBody = (owner: string, version: number, presence: Presence, signer = owner) =>
  encodeGossipBody({ kind: 'presence', ...signedPresence(owner, version, presence, signer) });
const records = (...list: MemberRecord[]) => encodeFrame({ type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records: list });
const presences = (outputs: EngineOutput[]) => outputs.flatMap((o) => (o.type === 'presence' || o.type === 'peer-join' ? [o.presence] : []));
const gossipTo = (outputs: EngineOutput[], peer: string) =>
  outputs.filter((o) => o.type === 'send' && o.to === peer && decodeFrame(o.bytes, DEFAULT_WIRE_LIMITS).type === 'gossip').length;

describe('signed presence', () => {
  it('applies a PRESENCE signed by its owner, and relays it', () => {
    const { a, receive } = linked();
    const out = receive(encodeGossipFrame('o', 1, 1, presenceBody('o', 3, { name: 'o' })), 2);
    expect(presences(out)).toEqual([{ name: 'o' }]);
    expect(a.member('o')?.presenceVersion).toBe(3);
    expect(a.stats.badSignatures).toBe(0);
  });

  it.each([
    ['signed with another member\'s key', () => presenceBody('o', 3, { name: 'forged' }, 'mallory')],
    [
      'with its JSON changed after signing',
      () => {
        const genuine = signedPresence('o', 3, { name: 'o' });
        return encodeGossipBody({ kind: 'presence', ...genuine, json: '{"name":"forged"}', presence: { name: 'forged' } });
      },
    ],
    [
      'signed for a lower version',
      () => {
        const trust = simTrust('o');
        const json = '{"name":"o"}';
        return encodeGossipBody({ kind: 'presence', version: 2 ** 32 - 1, json, presence: { name: 'o' }, key: trust.publicKey, signature: trust.sign(presenceSigned('o', 3, json)) });
      },
    ],
  ])('drops a PRESENCE %s: not applied, not relayed, reported', (_, body) => {
    const { a, receive } = linked();
    const out = receive(encodeGossipFrame('o', 1, 1, body()), 2);
    expect(presences(out)).toEqual([]);
    expect(a.member('o')).toBeUndefined();
    expect(gossipTo([...out, ...a.handle({ type: 'timer', timer: 'ihave' }, 1000)], 'y')).toBe(0);
    expect(a.stats.badSignatures).toBe(1);
    expect(out.find((o) => o.type === 'malformed')).toMatchObject({ from: 'x', code: ErrorCode.BAD_SIGNATURE });
  });

  it('a forged PRESENCE that arrives first does not shadow the genuine one with the same id', () => {
    const { a, receive } = linked();
    receive(encodeGossipFrame('o', 1, 1, presenceBody('o', 9, { name: 'forged' }, 'mallory')), 2);
    const out = receive(encodeGossipFrame('o', 1, 1, presenceBody('o', 9, { name: 'o' })), 3);
    expect(presences(out)).toEqual([{ name: 'o' }]);
    expect(a.stats.badSignatures).toBe(1);
  });

  it('drops a record whose presence is not its owner\'s, whole, and merges the rest of the frame', () => {
    const { a, receive } = linked();
    const out = receive(records(memberRecord('v', 4, 'alive', 2 ** 32 - 1, { name: 'forged' }, 'mallory'), memberRecord('w', 1, 'alive', 5, { name: 'w' })), 2);
    expect(a.member('v')).toBeUndefined();
    expect(a.member('w')).toMatchObject({ presenceVersion: 5, presence: { name: 'w' } });
    expect(a.stats.badSignatures).toBe(1);
    expect(out.find((o) => o.type === 'malformed')).toMatchObject({ from: 'x', code: ErrorCode.BAD_SIGNATURE });
  });

  it('a forged record of our own presence does not make us outbid it; a genuine one from our former session does', () => {
    const { a, receive } = linked();
    a.handle({ type: 'set-presence', presence: { name: 'a' } }, 2);
    const mine = a.member('a')?.presenceVersion ?? 0;
    receive(records(memberRecord('a', 0, 'alive', mine + 10, { name: 'forged' }, 'mallory')), 3);
    expect(a.member('a')).toMatchObject({ presenceVersion: mine, presence: { name: 'a' } });
    expect(a.stats.badSignatures).toBe(1);
    receive(records(memberRecord('a', 0, 'alive', mine + 10, { name: 'before the reload' })), 4);
    expect(a.member('a')).toMatchObject({ presenceVersion: mine + 11, presence: { name: 'a' } });
    expect(a.stats.badSignatures).toBe(1);
  });

  it('checks a record\'s presence only where it is news: about once per tab', () => {
    const { counts, receive } = linked();
    const frame = records(memberRecord('w', 1, 'alive', 5, { name: 'w' }));
    receive(frame, 2);
    receive(frame, 3);
    receive(encodeGossipFrame('w', 1, 1, presenceBody('w', 5, { name: 'w' })), 4); // an older or equal version is not news
    receive(records(memberRecord('w', 1, 'alive', 0)), 5); // version 0: nothing to check
    expect(counts.verifications).toBe(2); // the record once, the broadcast's unseen id once
  });

  it('refuses the retired unsigned PRESENCE body as malformed and skips the retired RECORDS frame', () => {
    const { a, receive } = linked();
    const json = new TextEncoder().encode('{"name":"o"}');
    const out = receive(encodeGossipFrame('o', 1, 1, Uint8Array.of(5, 1, json.length, ...json)), 2);
    expect(out.find((o) => o.type === 'malformed')).toMatchObject({ code: ErrorCode.BAD_WIRE });
    expect((out.find((o) => o.type === 'malformed') as { message: string }).message).toMatch(/unsigned PRESENCE/);
    expect(receive(Uint8Array.of(15, 1, 1, 0, 0, 1), 3).filter((o) => o.type === 'malformed')).toEqual([]);
    expect(a.member('o')).toBeUndefined();
  });

  it('a room of four: presence set on one tab shows everywhere, also at a tab that joins later, none refused', () => {
    const room = new Room({ seed: 7 });
    for (const id of ['a', 'b', 'c']) room.sim.join(id, 0);
    room.sim.runUntil(5000);
    room.sim.command('a', { type: 'set-presence', presence: { name: 'a', cursor: 1 } }, 5000);
    room.sim.runUntil(8000);
    room.sim.join('d', 8000); // learns a's presence from records, not from its broadcast
    room.sim.runUntil(20_000);
    expect(['b', 'c', 'd'].map((id) => room.engine(id).member('a')?.presence)).toEqual([1, 2, 3].map(() => ({ name: 'a', cursor: 1 })));
    expect(['a', 'b', 'c', 'd'].map((id) => room.engine(id).stats.badSignatures)).toEqual([0, 0, 0, 0]);
  });
});
