import { afterEach, describe, expect, it, vi } from 'vitest';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Presence } from '../../shared/src/engine/types.js';
import { AWARENESS_KEY, AwarenessBridge, readAwarenessEntry } from './awareness.js';

/**
 * Two or three "peers" whose presence is a plain object: publishing merges
 * the entry into the peer's presence and hands it to every other bridge,
 * as the Room does through the engine.
 */
function mesh(names: string[]) {
  const peers = names.map((name) => {
    const awareness = new Awareness(new Y.Doc());
    const peer = { name, awareness, presence: {} as Presence, bridge: null as unknown as AwarenessBridge };
    peer.bridge = new AwarenessBridge({
      awareness,
      origin: 'murmur',
      publish: (entry) => {
        peer.presence = { ...peer.presence, [AWARENESS_KEY]: entry };
        for (const other of peers) if (other !== peer) other.bridge.peerPresence(name, peer.presence);
      },
    });
    return peer;
  });
  for (const peer of peers) peer.presence = { [AWARENESS_KEY]: peer.bridge.localEntry() as unknown as Presence[string] };
  for (const peer of peers) for (const other of peers) if (other !== peer) other.bridge.peerPresence(peer.name, peer.presence);
  return peers;
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
  vi.useRealTimers();
});

function tracked(names: string[]) {
  const peers = mesh(names);
  cleanup.push(() => {
    for (const peer of peers) {
      peer.bridge.destroy();
      peer.awareness.destroy();
    }
  });
  return peers;
}

describe('AwarenessBridge (y-protocols Awareness over murmur presence)', () => {
  it('lists every peer in getStates(), y-codemirror style', () => {
    const [ann, bob, cat] = tracked(['ann', 'bob', 'cat']);
    ann!.awareness.setLocalStateField('user', { name: 'Ann', color: '#f00' });
    bob!.awareness.setLocalStateField('user', { name: 'Bob', color: '#0f0' });
    for (const peer of [ann!, bob!, cat!]) {
      expect(peer.awareness.getStates().size).toBe(3);
      expect(peer.awareness.getStates().get(ann!.awareness.clientID)).toEqual({ user: { name: 'Ann', color: '#f00' } });
      expect(peer.awareness.getStates().get(bob!.awareness.clientID)).toEqual({ user: { name: 'Bob', color: '#0f0' } });
    }
    // Every remote state has meta, as encodeAwarenessUpdate needs.
    expect(cat!.awareness.meta.get(ann!.awareness.clientID)?.clock).toBeGreaterThan(0);
  });

  it("emits 'change' and 'update' like y-protocols, with the given origin, and only 'update' for a no-op", () => {
    const [ann, bob] = tracked(['ann', 'bob']);
    const changes: unknown[] = [];
    const updates: unknown[] = [];
    bob!.awareness.on('change', (change: unknown, origin: unknown) => changes.push([change, origin]));
    bob!.awareness.on('update', (change: unknown, origin: unknown) => updates.push([change, origin]));
    const id = ann!.awareness.clientID;
    ann!.awareness.setLocalStateField('cursor', { anchor: 1, head: 2 });
    expect(changes).toEqual([[{ added: [], updated: [id], removed: [] }, 'murmur']]);
    bob!.bridge.peerPresence('ann', { ...ann!.presence, cursor: { x: 1 } }); // presence moved, awareness did not
    expect(changes).toHaveLength(1);
    expect(updates).toHaveLength(2);
  });

  it('drops a peer that leaves, and a state set to null', () => {
    const [ann, bob, cat] = tracked(['ann', 'bob', 'cat']);
    const removed: number[] = [];
    cat!.awareness.on('change', ({ removed: r }: { removed: number[] }) => removed.push(...r));
    cat!.bridge.peerLeft('ann');
    expect(cat!.awareness.getStates().has(ann!.awareness.clientID)).toBe(false);
    bob!.awareness.setLocalState(null);
    expect(cat!.awareness.getStates().has(bob!.awareness.clientID)).toBe(false);
    expect(removed).toEqual([ann!.awareness.clientID, bob!.awareness.clientID]);
    expect([...cat!.awareness.getStates().keys()]).toEqual([cat!.awareness.clientID]);
  });

  it('follows a peer whose clientID changes and ignores malformed entries', () => {
    const [ann, bob] = tracked(['ann', 'bob']);
    const oldId = ann!.awareness.clientID;
    bob!.bridge.peerPresence('ann', { [AWARENESS_KEY]: { clientID: 42, state: { a: 1 } } });
    expect(bob!.awareness.getStates().has(oldId)).toBe(false);
    expect(bob!.awareness.getStates().get(42)).toEqual({ a: 1 });
    expect(bob!.bridge.peerOf(42)).toBe('ann');
    // A clientID bound to a peer id uses all 53 bits (shared/src/doc/client-id.ts).
    expect(readAwarenessEntry({ [AWARENESS_KEY]: { clientID: Number.MAX_SAFE_INTEGER, state: {} } })).toEqual({ clientID: Number.MAX_SAFE_INTEGER, state: {} });
    for (const bad of [{ clientID: -1, state: {} }, { clientID: 1.5, state: {} }, { clientID: 2 ** 53, state: {} }, { clientID: 1, state: [1] }, 'x', null]) {
      expect(readAwarenessEntry({ [AWARENESS_KEY]: bad as Presence[string] })).toBeNull();
    }
    bob!.bridge.peerPresence('ann', { [AWARENESS_KEY]: 'garbage' });
    expect(bob!.awareness.getStates().has(42)).toBe(false);
  });

  it("keeps live peers past y-protocols' 30 s outdated timeout", () => {
    vi.useFakeTimers();
    const [ann, bob] = tracked(['ann', 'bob']);
    vi.advanceTimersByTime(120_000);
    expect(bob!.awareness.getStates().has(ann!.awareness.clientID)).toBe(true);
    expect(ann!.awareness.getStates().size).toBe(2);
  });
});
