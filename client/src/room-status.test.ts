/**
 * room.status over real rooms, with no poll behind it: every change must
 * come from an event (a link, a signal, the signaling status, a member).
 */
import { describe, expect, it } from 'vitest';
import type { RoomStatus } from './status.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';

const harness = useNodeRoomHarness();

describe('room.status from events', () => {
  it("a tab cut off after its peers were declared gone is 'disconnected', and 'connected' again once the server is back", async () => {
    const a = harness.join('cut');
    const b = harness.join('cut');
    await until(() => a.status === 'connected' && b.status === 'connected', 'both connected');

    const seen: RoomStatus[] = [];
    a.on('status', (status) => seen.push(status));
    a.debug.stopSignaling();
    a.debug.dropLinks();
    await until(() => a.peers.size === 0, 'a to declare b gone', 30_000);
    expect(a.status).toBe('disconnected');
    expect(a.debug.links().filter((link) => link.state === 'open')).toEqual([]);
    // A redial of b would have no path for its signals: no progress, so never 'connecting'.
    expect(seen).not.toContain('connecting');
    expect(seen.at(-1)).toBe('disconnected');

    a.debug.resumeSignaling();
    await until(() => a.status === 'connected' && a.peers.has(b.selfId), 'a back in the room', 30_000);
  }, 70_000);
});
