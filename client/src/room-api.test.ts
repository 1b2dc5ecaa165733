import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ownsClientId } from '../../shared/src/doc/client-id.js';
import { ErrorCode } from '../../shared/src/errors.js';
import type { RoomMessage } from './app-message.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import type { Room } from './typed-room.js';
import type { RoomStatus } from './status.js';

const harness = useNodeRoomHarness();
const join = (roomId: string, extra: { doc?: Y.Doc } = {}) => harness.join(roomId, extra);

/** Key-order-independent JSON of a doc (Y.Map key order follows local integration order). */
function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v,
  );
}

/** doc.toJSON() lists only types this doc has opened: open them all. */
const view = (room: Room) => canon({ notes: room.doc.getMap('notes').toJSON(), log: room.doc.getArray('log').toJSON() });

describe('room API over real WebRTC (Node)', () => {
  it('syncs the doc, fills awareness, delivers broadcasts once, tracks status and stats', async () => {
    const statuses: RoomStatus[] = [];
    const myDoc = new Y.Doc();
    const a = join('api', { doc: myDoc });
    a.on('status', (status) => statuses.push(status));
    expect(a.doc).toBe(myDoc);
    await until(() => a.status === 'alone', 'the first peer to be alone');
    const b = join('api');
    const c = join('api');
    const all = [a, b, c];
    await until(() => all.every((room) => room.peers.size === 2), 'a full room');
    expect(a.status).toBe('connected');
    expect(statuses).toEqual(['alone', 'connecting', 'connected']);

    // Concurrent edits converge.
    a.doc.getMap('notes').set('a', 1);
    b.doc.getMap('notes').set('b', 2);
    c.doc.getArray('log').push(['c']);
    const same = () => all.every((room) => view(room) === view(a));
    await until(() => same() && a.doc.getMap('notes').size === 2 && a.doc.getArray('log').length === 1, 'docs to converge');

    // Awareness, the y-codemirror way.
    a.awareness.setLocalStateField('user', { name: 'Ann' });
    await until(() => all.every((room) => room.awareness.getStates().size === 3), 'three awareness states everywhere');
    await until(() => (c.awareness.getStates().get(a.awareness.clientID) as { user?: { name: string } })?.user?.name === 'Ann', 'Ann in c');

    // Broadcast: everyone else, exactly once; direct: only the addressee.
    const got = new Map<Room, RoomMessage[]>(all.map((room) => [room, []]));
    for (const room of all) room.on('message', (message) => got.get(room)!.push(message));
    a.broadcast('ping', { n: 1 });
    a.broadcast('bytes', Uint8Array.of(1, 2, 3), { to: c.selfId });
    await until(() => got.get(b)!.length === 1 && got.get(c)!.length === 2, 'messages');
    await new Promise((resolve) => setTimeout(resolve, 100)); // any duplicate would have arrived by now
    expect(got.get(a)).toEqual([]);
    expect(got.get(b)).toEqual([{ from: a.selfId, topic: 'ping', data: { n: 1 }, direct: false }]);
    // The broadcast rides the tree and the direct message is routed: either may land first.
    expect([...got.get(c)!].sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { from: a.selfId, topic: 'bytes', data: Uint8Array.of(1, 2, 3), direct: true },
      { from: a.selfId, topic: 'ping', data: { n: 1 }, direct: false },
    ]);

    const stats = a.stats();
    expect(stats.peers).toBe(2);
    expect(stats.links.open).toBe(2);
    expect(stats.messagesOut).toBeGreaterThan(0);
    expect(stats.bytesIn).toBeGreaterThan(0);
    expect(stats.doc.updatesSent).toBeGreaterThanOrEqual(1);
    // Every tab writes under a clientID its peer id owns (the app's own doc too), which awareness shares;
    // so no honest broadcast update was refused.
    for (const room of all) {
      expect(ownsClientId(room.selfId, room.doc.clientID)).toBe(true);
      expect(room.awareness.clientID).toBe(room.doc.clientID);
      expect(room.stats().doc.refusedUpdates).toBe(0);
      expect(room.stats().malformed).toBe(0);
    }
    // One probe a period (1 s) goes to one neighbour in turn, so each link has an RTT within a few periods; 15 s
    // leaves room for late timers on a loaded machine (5 s failed once in a full run beside another suite).
    await until(() => a.stats().perLink.every((link) => link.rttMs !== null), 'round-trip times', 15_000);

    // A late joiner receives the full document.
    const late = join('api');
    await until(() => view(late) === view(a), 'the late joiner to catch up');

    // Leaving removes the leaver's awareness state everywhere and closes the room.
    b.leave();
    expect(b.status).toBe('closed');
    await until(() => [a, c, late].every((room) => !room.awareness.getStates().has(b.awareness.clientID)), 'b to vanish');
  });

  it('rejects bad room-API arguments with typed errors', () => {
    const room = join('bad');
    const code = { code: ErrorCode.BAD_ARGUMENT };
    expect(() => room.broadcast('', 1)).toThrow(expect.objectContaining(code));
    expect(() => room.broadcast('t', (() => 1) as never)).toThrow(/JSON-serializable/);
    expect(() => room.broadcast('t', 'x'.repeat(200_000))).toThrow(/limit/);
    expect(() => room.broadcast('t', 1, { to: room.selfId })).toThrow(/itself/);
    expect(() => harness.join('r', { doc: {} as Y.Doc })).toThrow(/options\.doc/);
    expect(() => harness.join('r', { syncIntervalMs: 10 })).toThrow(/syncIntervalMs/);
    expect(() => room.presence.update({ awareness: 1 })).toThrow(/reserved/);
    room.leave();
    expect(() => room.broadcast('t', 1)).toThrow(expect.objectContaining({ code: ErrorCode.ROOM_CLOSED }));
  });
});
