/**
 * `murmur-mesh/node`: join the same rooms as browsers from Node (bots,
 * servers that take part in a room, load tests). WebRTC comes from
 * `@roamhq/wrtc` and WebSocket from `ws`; everything else is the browser
 * client unchanged.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import type { Presence } from '../../shared/src/engine/types.js';
import type { WebSocketConstructor } from './signaling-client.js';
import { joinRoom as joinAnywhere, type JoinOptions, type MessageData, type Room } from './typed-room.js';

export * from './index.js';

export function joinRoom<P extends object = Presence, M extends MessageData = MessageData>(roomId: string, options: JoinOptions<P>): Room<P, M> {
  return joinAnywhere<P, M>(roomId, { wrtc, WebSocket: WebSocket as unknown as WebSocketConstructor, ...options });
}
