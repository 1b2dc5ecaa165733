/**
 * What a new user met in their first hour, over real WebRTC in Node:
 * 'peer-join' without the presence, a wrong signaling URL that looked like an
 * empty room, server error frames that never reached the app.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createSignalingServer } from '../../signaling-server/src/server.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import { joinRoom } from './node.js';
import type { PeerInfo } from './typed-room.js';
import type { SignalingError } from './signaling-client.js';
import { createIdentity } from './identity.js';

const harness = useNodeRoomHarness();

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('first hour', () => {
  it("'peer-join' carries the peer's presence", async () => {
    const ann = harness.join('greet', { presence: { name: 'ann' } });
    const joins: PeerInfo[] = [];
    ann.on('peer-join', (peer) => joins.push(peer));
    const names = ['bob', 'cat', 'dan'];
    for (const name of names) harness.join('greet', { presence: { name } });
    await until(() => joins.length === names.length, 'three joins');
    expect(joins.map((peer) => peer.presence.name).sort()).toEqual(names);
    expect([...ann.peers.values()].map((peer) => peer.presence.name).sort()).toEqual(names);
  });

  it('a peer that never sets a presence still joins (with {})', async () => {
    const ann = harness.join('quiet', { presence: { name: 'ann' } });
    const joins: PeerInfo[] = [];
    ann.on('peer-join', (peer) => joins.push(peer));
    const quiet = harness.join('quiet');
    await until(() => joins.length === 1, 'the quiet peer to join', 15_000);
    expect(joins[0]).toEqual({ id: quiet.selfId, presence: {} });
  });

  it('an unreachable signaling URL is a status and an error event', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/signal`;
    const room = joinRoom('lost', { signaling: url });
    harness.track(room);
    const errors: SignalingError[] = [];
    const statusAtError: string[] = [];
    room.on('signaling-error', (error) => {
      errors.push(error);
      statusAtError.push(room.status);
    });
    await until(() => errors.length > 0 && room.status === 'disconnected', 'an unreachable report');
    expect(errors[0]).toMatchObject({ url, code: ErrorCode.SIGNALING_UNREACHABLE });
    expect(errors[0]?.message).toContain(url);
    expect(room.debug.signalingStatus()).toBe('unreachable');
    expect(statusAtError[0]).toBe('disconnected');
  });

  it('server error frames arrive as typed signaling-error events', async () => {
    const taken: SignalingError[] = [];
    // Two tabs holding one identity (one id): the second is refused.
    const identity = createIdentity();
    harness.join('ids', { identity });
    const second = harness.join('ids', { identity });
    second.on('signaling-error', (error) => taken.push(error));
    await until(() => taken.length > 0, 'PEER_ID_TAKEN');
    expect(taken[0]).toMatchObject({ code: ErrorCode.PEER_ID_TAKEN, url: harness.server.url });

    const small = await createSignalingServer({ port: 0, maxPeersPerRoom: 1, log: () => {} });
    try {
      const full: SignalingError[] = [];
      harness.track(joinRoom('full', { signaling: small.url }));
      const late = joinRoom('full', { signaling: small.url });
      harness.track(late);
      late.on('signaling-error', (error) => full.push(error));
      await until(() => full.length > 0, 'ROOM_FULL');
      expect(full[0]?.code).toBe(ErrorCode.ROOM_FULL);
    } finally {
      await small.close();
    }
  });

  it('presence and message data are typed by joinRoom<P, M>', async () => {
    interface Cursor {
      name: string;
      cursor?: { x: number; y: number };
    }
    type Chat = { text: string };
    const ann = joinRoom<Cursor, Chat>('typed', { signaling: harness.server.url, presence: { name: 'ann' } });
    const bob = joinRoom<Cursor, Chat>('typed', { signaling: harness.server.url, presence: { name: 'bob' } });
    try {
      // Compile-time only: wrong presence fields and message shapes are errors.
      const misuse = () => {
        // @ts-expect-error a name is a string
        ann.presence.update({ name: 3 });
        // @ts-expect-error a Chat has text
        ann.broadcast('chat', { txt: 'hi' });
      };
      expect(typeof misuse).toBe('function');
      const heard: string[] = [];
      bob.on('message', (message) => heard.push(message.data.text));
      ann.presence.update({ cursor: { x: 1, y: 2 } });
      await until(() => bob.peers.get(ann.selfId)?.presence.cursor?.x === 1, "bob to see ann's cursor");
      const name: string = bob.peers.get(ann.selfId)?.presence.name ?? '';
      expect(name).toBe('ann');
      ann.broadcast('chat', { text: 'hi' });
      await until(() => heard.length === 1, 'the message');
      expect(heard).toEqual(['hi']);
    } finally {
      ann.leave();
      bob.leave();
    }
  });

  it('event names are checked at compile time', () => {
    const room = harness.join('types');
    // @ts-expect-error 'peer-joined' is not a room event (it is 'peer-join')
    const off = room.on('peer-joined', () => {});
    off();
    room.on('malformed', (info) => {
      const code: ErrorCode = info.code;
      expect(typeof code).toBe('string');
    });
  });
});
