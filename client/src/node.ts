/**
 * `murmur-mesh/node`: join the same rooms as browsers from Node (bots, servers
 * that take part in a room, load tests). WebRTC comes from `@roamhq/wrtc` and
 * WebSocket from `ws`; everything else is the browser client unchanged.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import type { JoinOptions } from './options.js';
import { Room } from './room.js';
import type { WebSocketConstructor } from './signaling-client.js';

export * from './index.js';

export function joinRoom(roomId: string, options: JoinOptions): Room {
  return new Room(roomId, { wrtc, WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
}
