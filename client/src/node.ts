/**
 * `murmur-mesh/node`: join the same rooms as browsers from Node (bots,
 * servers that take part in a room, load tests). WebRTC comes from
 * `@roamhq/wrtc` and WebSocket from `ws`; everything else is the browser
 * client unchanged.
 *
 * @roamhq/wrtc is an optional peer dependency, loaded at the first joinRoom
 * that needs it, not when this module loads: an app that only imports
 * something layered on this entry (the signaling server and its keeper, the
 * Playwright kit) must start without it installed.
 */
import { createRequire } from 'node:module';
import WebSocket from 'ws';
import type { Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { checkRoomId, resolveOptions } from './options.js';
import type { WebSocketConstructor } from './signaling-client.js';
import { joinRoom as joinAnywhere, type JoinOptions, type MessageData, type Room } from './typed-room.js';

export * from './index.js';

const WRTC = '@roamhq/wrtc';
let wrtc: unknown;

/** @roamhq/wrtc, required once (a native addon is CommonJS); `load` is for tests. */
export function loadWrtc(load: (id: string) => unknown = createRequire(import.meta.url)): unknown {
  if (wrtc !== undefined) return wrtc;
  try {
    wrtc = load(WRTC);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new MurmurError(
      ErrorCode.BAD_CONFIG,
      `murmur-mesh/node needs the optional peer dependency ${WRTC} for WebRTC in Node: npm install ${WRTC} (or pass options.wrtc). ${(error as Error).message.split('\n')[0]}`,
    );
  }
  return wrtc;
}

export function joinRoom<P extends object = Presence, M extends MessageData = MessageData>(roomId: string, options: JoinOptions<P>): Room<P, M> {
  const withWebSocket = { WebSocket: WebSocket as unknown as WebSocketConstructor, ...options };
  // A bad argument is reported first, as the browser entry reports it; the addon loads only for a room that will start.
  checkRoomId(roomId);
  const resolved = resolveOptions(withWebSocket);
  return joinAnywhere<P, M>(roomId, { ...withWebSocket, wrtc: resolved.wrtc ?? loadWrtc() });
}
