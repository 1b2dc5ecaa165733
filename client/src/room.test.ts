import wrtc from '@roamhq/wrtc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../shared/src/errors.js';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/server.js';
import { joinRoom, type Room } from './room.js';
import type { WebSocketConstructor } from './signaling-client.js';

let server: SignalingServer;
const rooms: Room[] = [];

function join(roomId: string, presence: Record<string, string> = {}): Room {
  const room = joinRoom(roomId, {
    signaling: server.url,
    presence,
    wrtc,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  rooms.push(room);
  return room;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(async () => {
  server = await createSignalingServer({ port: 0, log: () => {} });
});

afterEach(async () => {
  for (const room of rooms.splice(0)) room.leave();
  await server.close();
});

describe('joinRoom over real WebRTC (Node, @roamhq/wrtc)', () => {
  it('three peers see each other and each other\'s presence, and a leaver is dropped', async () => {
    const a = join('r', { name: 'ann' });
    const b = join('r', { name: 'bob' });
    const c = join('r', { name: 'cat' });
    await until(() => [a, b, c].every((room) => room.peers.size === 2), 'everyone to see two peers');
    expect(a.peers.get(b.selfId)?.presence).toEqual({ name: 'bob' });

    // An earlier version of a's presence may still be on its way; wait for this one.
    const seen = new Promise<unknown>((resolve) =>
      c.on('presence', (peer) => peer.id === a.selfId && peer.presence.x === 10 && resolve(peer.presence)),
    );
    a.presence.update({ x: 10, y: 20 });
    expect(await seen).toEqual({ name: 'ann', x: 10, y: 20 });

    const reasons: string[] = [];
    a.on('peer-leave', (_peer, reason) => reasons.push(reason));
    b.leave();
    await until(() => a.peers.size === 1 && c.peers.size === 1, 'the leaver to vanish');
    expect(a.peers.has(b.selfId)).toBe(false);
    expect(reasons).toEqual(['left']);
  });

  it('rejects bad arguments with typed errors', () => {
    expect(() => joinRoom('bad room!', { signaling: server.url })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    expect(() => joinRoom('r', { signaling: 'http://nope' })).toThrow(/ws:\/\//);
    expect(() => joinRoom('r', { signaling: server.url, presenceThrottleMs: 5 })).toThrow(/presenceThrottleMs/);
    const room = join('r');
    expect(() => room.presence.update([] as never)).toThrow(/plain object/);
    expect(() => room.presence.update({ big: 'x'.repeat(20_000) })).toThrow(/limit/);
    room.leave();
    expect(() => room.presence.update({ a: '1' })).toThrow(expect.objectContaining({ code: ErrorCode.ROOM_CLOSED }));
  });
});
