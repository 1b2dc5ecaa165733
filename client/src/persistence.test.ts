import { describe, expect, it } from 'vitest';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';

const harness = useNodeRoomHarness();

describe('persist and whenSynced', () => {
  it('refuses a non-boolean persist, and persist in Node (no IndexedDB) with a pointer to the keeper', () => {
    expect(() => harness.join('p', { persist: 'yes' as never })).toThrow(/options\.persist must be true or false/);
    expect(() => harness.join('p', { persist: true })).toThrow(/needs IndexedDB.*--keep/);
  });

  it('whenSynced: alone resolves once the server answered; a newcomer waits for a peer to answer its doc sync', async () => {
    const first = harness.join('synced');
    await first.whenSynced;
    expect(first.status).toBe('alone');
    first.doc.getText('t').insert(0, 'there before you');
    const second = harness.join('synced');
    await second.whenSynced;
    // Resolved only after an answer from the peer, so the doc is already in.
    expect(second.stats().doc.updatesReceived).toBeGreaterThan(0);
    await until(() => second.doc.getText('t').toString() === 'there before you', 'the doc');
  });

  it('whenSynced resolves when the room is left before it synced', async () => {
    const room = harness.join('left-early');
    room.leave();
    await room.whenSynced;
    expect(room.status).toBe('closed');
  });
});
