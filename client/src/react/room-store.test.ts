/**
 * The hooks' snapshots over real rooms (Node, real WebRTC): the same value
 * while nothing changed, a new one when the data did. useSyncExternalStore
 * re-renders exactly when a snapshot is a new value.
 */
import { describe, expect, it } from 'vitest';
import { until, useNodeRoomHarness } from '../../test/node-room-harness.js';
import { storeOf } from './room-store.js';

const harness = useNodeRoomHarness();

describe('RoomStore snapshots', () => {
  it('peers, peer, status and own presence change only with their data', async () => {
    const a = harness.join('store', { presence: { name: 'ann' } });
    const store = storeOf(a);
    expect(storeOf(a)).toBe(store);
    let notified = 0;
    const off = store.subscribePeers(() => notified++);
    const empty = store.peers();
    expect(store.peers()).toBe(empty);
    expect(empty).toEqual([]);

    const b = harness.join('store', { presence: { name: 'bob' } });
    await until(() => store.peers().length === 1 && store.peer(b.selfId)?.presence.name === 'bob', 'ann to see bob');
    const withBob = store.peers();
    expect(withBob).not.toBe(empty);
    expect(store.peers()).toBe(withBob);
    const bob = store.peer(b.selfId);
    expect(store.peer(b.selfId)).toBe(bob);
    expect(notified).toBeGreaterThan(0);

    b.presence.update({ name: 'bobby' });
    await until(() => store.peer(b.selfId)?.presence.name === 'bobby', 'bob\'s new name');
    expect(store.peers()).not.toBe(withBob);
    expect(store.peer(b.selfId)).not.toBe(bob);

    expect(store.status()).toBe(a.status);
    const own = store.ownPresenceSnapshot();
    expect(store.ownPresenceSnapshot()).toBe(own);
    let ownNotified = 0;
    store.subscribeOwnPresence(() => ownNotified++);
    store.updateOwnPresence({ cursor: 1 });
    expect(ownNotified).toBe(1);
    expect(store.ownPresenceSnapshot()).not.toBe(own);
    expect(store.ownPresenceSnapshot()).toEqual({ name: 'ann', cursor: 1 });
    off();
  });
});
