/**
 * automerge-repo's own adapter acceptance suite, unmodified, over real
 * WebRTC: three Node peers (@roamhq/wrtc) in one murmur room through a real
 * signaling server, one MurmurNetworkAdapter each.
 */
import { runNetworkAdapterTests } from '@automerge/automerge-repo/helpers/tests/network-adapter-tests.js';
import { Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { until, useNodeRoomHarness } from '../../test/node-room-harness.js';
import { MurmurNetworkAdapter } from './index.js';

const harness = useNodeRoomHarness();
let rooms = 0;

async function threeConnectedAdapters() {
  const roomId = `am-${++rooms}`;
  const members = [harness.join(roomId), harness.join(roomId), harness.join(roomId)];
  await until(() => members.every((room) => room.peers.size === 2), 'three rooms that see each other', 20_000);
  return members;
}

runNetworkAdapterTests(async () => {
  const members = await threeConnectedAdapters();
  return {
    adapters: [new MurmurNetworkAdapter(members[0]!), new MurmurNetworkAdapter(members[1]!), new MurmurNetworkAdapter(members[2]!)],
    teardown: () => {
      for (const room of members) room.leave();
    },
  };
}, 'murmur room over @roamhq/wrtc');

describe('MurmurNetworkAdapter beyond the acceptance suite', () => {
  it('syncs a document bigger than one room message (cut into pieces)', async () => {
    const [a, b] = await threeConnectedAdapters();
    const alice = new Repo({ network: [new MurmurNetworkAdapter(a!)], peerId: 'alice' as never });
    const bob = new Repo({ network: [new MurmurNetworkAdapter(b!)], peerId: 'bob' as never });
    const big = 'x'.repeat(300 * 1024);
    const handle = alice.create<{ text: string }>({ text: big });
    await alice.networkSubsystem.whenReady();
    const found = await bob.find<{ text: string }>(handle.url);
    expect(found.doc().text.length).toBe(big.length);
  });

  it('says peer-disconnected and close when the room is left', async () => {
    const [a, b] = await threeConnectedAdapters();
    const left = new MurmurNetworkAdapter(a!);
    const right = new MurmurNetworkAdapter(b!);
    const gone = new Promise((resolve) => right.once('peer-disconnected', resolve));
    const closed = new Promise((resolve) => left.once('close', () => resolve(true)));
    const candidate = new Promise((resolve) => right.once('peer-candidate', resolve));
    right.connect('right' as never);
    left.connect('left' as never);
    await candidate;
    a!.leave();
    expect(await closed).toBe(true);
    expect(await gone).toEqual({ peerId: 'left' });
  });

  it('finds a repo whose room joined after both adapters connected', async () => {
    const first = harness.join('am-late');
    const early = new MurmurNetworkAdapter(first);
    early.connect('early' as never);
    const second = harness.join('am-late');
    const late = new MurmurNetworkAdapter(second);
    const seen = new Promise((resolve) => early.once('peer-candidate', resolve));
    late.connect('late' as never);
    expect(await seen).toMatchObject({ peerId: 'late' });
  });

  it('refuses something that is not a room', () => {
    expect(() => new MurmurNetworkAdapter({} as never)).toThrow(/needs a room/);
  });
});
