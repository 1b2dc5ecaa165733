/**
 * One presence limit (the engine's), checked before anything changes: a
 * too-large update throws MurmurError and the room keeps working; a
 * too-large initial presence throws before joinRoom starts anything.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { GOSSIP_DEFAULTS } from '../../shared/src/gossip/config.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import { joinRoom } from './node.js';
import { MAX_PRESENCE_BYTES } from './options.js';

const harness = useNodeRoomHarness();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the presence limit', () => {
  it('is the engine limit, counted in UTF-8 bytes', () => {
    expect(MAX_PRESENCE_BYTES).toBe(GOSSIP_DEFAULTS.limits.maxPresenceBytes);
    const room = harness.join('r');
    // 1,500 three-byte characters: 4,500 UTF-8 bytes, though only 1,500 UTF-16 units.
    expect(() => room.presence.update({ name: '€'.repeat(1500) })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });

  it('a too-large presence.update throws MurmurError, changes nothing, and the room keeps working', async () => {
    const a = harness.join('r', { presence: { name: 'ann' } });
    const b = harness.join('r');
    await until(() => b.peers.get(a.selfId)?.presence.name === 'ann', "ann's presence at b");
    let error: unknown;
    try {
      a.presence.update({ big: 'x'.repeat(MAX_PRESENCE_BYTES) });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MurmurError);
    expect((error as MurmurError).code).toBe(ErrorCode.BAD_ARGUMENT);
    expect(a.presence.get()).toEqual({ name: 'ann' });
    // Every later update and awareness publish still works.
    a.presence.update({ x: 1 });
    a.awareness.setLocalStateField('cursor', { x: 3 });
    await until(() => b.peers.get(a.selfId)?.presence.x === 1, 'the next update at b');
    expect(b.peers.get(a.selfId)?.presence).toEqual({ name: 'ann', x: 1 });
  });

  it('joinRoom with a too-large presence throws before it starts any timer or socket', () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    expect(() => joinRoom('r', { signaling: harness.server.url, presence: { big: 'x'.repeat(MAX_PRESENCE_BYTES) } })).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }),
    );
    // Just under the limit alone, but over it with the awareness entry every room adds.
    expect(() => joinRoom('r', { signaling: harness.server.url, presence: { big: 'x'.repeat(MAX_PRESENCE_BYTES - 12) } })).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }),
    );
    expect(intervals).not.toHaveBeenCalled();
    expect(timeouts).not.toHaveBeenCalled();
  });

  it('a room joined after a refused one works', async () => {
    expect(() => joinRoom('r', { signaling: harness.server.url, presence: { big: 'x'.repeat(MAX_PRESENCE_BYTES) } })).toThrow(MurmurError);
    const a = harness.join('r', { presence: { name: 'ann' } });
    const b = harness.join('r');
    await until(() => b.peers.get(a.selfId)?.presence.name === 'ann', "ann's presence at b");
  });
});
