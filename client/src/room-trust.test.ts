/**
 * Issue 13 at the room level, over real WebRTC in Node: the id is the
 * identity's, an explicit id that is not is refused by the server, and a
 * room password lets only tabs that know it link.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import { createIdentity, exportIdentity, importIdentity } from './identity.js';
import type { SignalingError } from './signaling-client.js';

const harness = useNodeRoomHarness();

describe('identity in a room', () => {
  it('room.selfId is the identity\'s id, and a reused identity comes back under the same id', async () => {
    const identity = createIdentity();
    const first = harness.join('ids', { identity });
    expect(first.selfId).toBe(identity.id);
    const other = harness.join('ids');
    await until(() => other.peers.has(identity.id), 'the identity as a member');
    first.leave();
    await until(() => !other.peers.has(identity.id), 'the first life to leave');
    const again = harness.join('ids', { identity: importIdentity(JSON.parse(JSON.stringify(exportIdentity(identity)))) });
    expect(again.selfId).toBe(identity.id);
    await until(() => other.peers.has(identity.id), 'the same id back');
  });

  it('an explicit peerId that is not the identity\'s is refused by the server', async () => {
    const errors: SignalingError[] = [];
    const room = harness.join('ids', { peerId: 'chosen-name' });
    room.on('signaling-error', (error) => errors.push(error));
    await until(() => errors.length > 0, 'a refusal');
    expect(errors[0]).toMatchObject({ code: ErrorCode.BAD_PEER_PROOF, ref: 'join' });
    expect(() => harness.join('ids', { identity: createIdentity(), peerId: 'chosen-name' })).toThrow(/not options.identity's id/);
  });
});

describe('room password', () => {
  it('tabs with the password link and share presence; a tab with another never links and counts what it drops', async () => {
    const ann = harness.join('secret', { password: 'correct horse', presence: { name: 'ann' } });
    const bob = harness.join('secret', { password: 'correct horse', presence: { name: 'bob' } });
    await until(() => ann.peers.get(bob.selfId)?.presence.name === 'bob' && bob.peers.get(ann.selfId)?.presence.name === 'ann', 'ann and bob to see each other', 20_000);
    const eve = harness.join('secret', { password: 'battery staple', presence: { name: 'eve' } });
    const dropped: string[] = [];
    eve.on('malformed', (info) => dropped.push(info.code));
    // Eve's offers reach ann and bob (the server relays them) and die there; theirs die at eve.
    await until(() => ann.stats().malformed + bob.stats().malformed > 0 && eve.stats().malformed > 0, 'sealed signals dropped on both sides', 20_000);
    expect(eve.stats().links.open).toBe(0);
    expect(eve.peers.size).toBe(0);
    expect(ann.peers.has(eve.selfId)).toBe(false);
    expect(dropped.every((code) => code === ErrorCode.BAD_SEAL)).toBe(true);
    // And a tab without any password cannot link either.
    const before = ann.stats().malformed + bob.stats().malformed;
    const plain = harness.join('secret');
    await until(() => ann.stats().malformed + bob.stats().malformed > before, 'its unsealed offers dropped', 20_000);
    expect(plain.stats().links.open).toBe(0);
    expect(ann.peers.size).toBe(1);
  });
});
