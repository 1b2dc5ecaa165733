import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createSignalingServer } from '../../signaling-server/src/server.js';
import { joinRoom } from './node.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';

const harness = useNodeRoomHarness();
const join = (roomId: string, presence: Record<string, string> = {}) => harness.join(roomId, { presence });

describe('joinRoom over real WebRTC (Node, @roamhq/wrtc)', () => {
  it('three peers see each other and each other\'s presence, and a leaver is dropped', async () => {
    const a = join('r', { name: 'ann' });
    const b = join('r', { name: 'bob' });
    const c = join('r', { name: 'cat' });
    await until(() => [a, b, c].every((room) => room.peers.size === 2), 'everyone to see two peers');
    // A member can be known (peer-join) a moment before its presence arrives.
    await until(() => a.peers.get(b.selfId)?.presence.name === 'bob', "bob's presence at a");
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
    expect(() => joinRoom('bad room!', { signaling: harness.server.url })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    expect(() => joinRoom('r', { signaling: 'http://nope' })).toThrow(/ws:\/\//);
    expect(() => joinRoom('r', { signaling: harness.server.url, presenceThrottleMs: 5 })).toThrow(/presenceThrottleMs/);
    const room = join('r');
    expect(() => room.presence.update([] as never)).toThrow(/plain object/);
    expect(() => room.presence.update({ big: 'x'.repeat(20_000) })).toThrow(/limit/);
    room.leave();
    expect(() => room.presence.update({ a: '1' })).toThrow(expect.objectContaining({ code: ErrorCode.ROOM_CLOSED }));
  });
});

describe('joinRoom against a server that requires room tokens', () => {
  it('reports a refused token once, and joins with a valid one', async () => {
    const { createRoomToken } = await import('../../signaling-server/src/room-token.js');
    const secret = 'test-secret-0123456789';
    const guarded = await createSignalingServer({ port: 0, authSecret: secret, log: () => {} });
    try {
      const refused = joinRoom('vip', { signaling: guarded.url });
      harness.track(refused);
      const info = await new Promise<{ code: number }>((resolve) => refused.on('signaling-refused', resolve));
      expect(info.code).toBe(4401);
      expect(refused.debug.signalingStatus()).toBe('refused');
      expect(refused.status).toBe('disconnected');

      const token = createRoomToken({ room: 'vip', expiresAt: Date.now() + 60_000 }, secret);
      const a = joinRoom('vip', { signaling: `${guarded.url}?token=${token}` });
      const b = joinRoom('vip', { signaling: `${guarded.url}?token=${token}` });
      harness.track(a, b);
      await until(() => a.peers.has(b.selfId) && b.peers.has(a.selfId), 'token holders to meet');
      for (const room of [refused, a, b]) room.leave();
    } finally {
      await guarded.close();
    }
  });
});

describe('joinRoom when the server refuses the join proof', () => {
  it("reports one signaling-refused with the server's code, reads 'disconnected', and does not retry", async () => {
    // An explicit peerId that is not the identity's goes unsigned, and the server (requirePeerKeys) refuses it.
    const room = joinRoom('proofless', { signaling: harness.server.url, peerId: 'not-my-key' });
    harness.track(room);
    const refusals: Array<{ code: number; error?: string }> = [];
    const errors: string[] = [];
    room.on('signaling-refused', (info) => refusals.push(info));
    room.on('signaling-error', (error) => errors.push(error.code));
    await until(() => refusals.length > 0 && room.status === 'disconnected', 'the refusal');
    expect(refusals).toEqual([expect.objectContaining({ code: 4401, error: ErrorCode.BAD_PEER_PROOF })]);
    expect(errors).toEqual([ErrorCode.BAD_PEER_PROOF]);
    expect(room.debug.signalingStatus()).toBe('refused');
    room.leave();
  });
});
