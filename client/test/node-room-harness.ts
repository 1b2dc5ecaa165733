/**
 * Test support, not library code (the library never imports the signaling
 * server). For vitest files that run real rooms in Node: a signaling server per test
 * on a free port, rooms over @roamhq/wrtc that are all left after the test,
 * and `until`, which polls a condition with a deadline instead of sleeping.
 */
import { afterEach, beforeEach } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/server.js';
import { joinRoom } from '../src/node.js';
import type { JoinOptions } from '../src/options.js';
import type { Room } from '../src/typed-room.js';

export interface NodeRoomHarness {
  /** The current test's signaling server. */
  readonly server: SignalingServer;
  /** Join over real WebRTC; the room is left after the test. */
  join(roomId: string, options?: Partial<JoinOptions>): Room;
  /** Leave these rooms after the test too (rooms joined some other way). */
  track(...rooms: Room[]): void;
}

export function useNodeRoomHarness(): NodeRoomHarness {
  let server: SignalingServer | undefined;
  const rooms: Room[] = [];
  beforeEach(async () => {
    server = await createSignalingServer({ port: 0, log: () => {} });
  });
  afterEach(async () => {
    for (const room of rooms.splice(0)) room.leave();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the harness server exists only inside a test');
      return server;
    },
    join(roomId, options = {}) {
      const room = joinRoom(roomId, { signaling: this.server.url, ...options });
      rooms.push(room);
      return room;
    },
    track: (...more) => {
      rooms.push(...more);
    },
  };
}

export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
