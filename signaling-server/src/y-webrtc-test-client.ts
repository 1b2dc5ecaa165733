/**
 * A raw /y-webrtc client for tests: queues every server frame as parsed JSON
 * so a test can wait for the next one matching a predicate, with a deadline.
 */
import type WebSocket from 'ws';
import { FrameInbox, openTestSocket } from './frame-inbox.js';

export type YFrame = Record<string, unknown>;

export interface YWebrtcTestClient {
  readonly socket: WebSocket;
  send(frame: YFrame | string | Uint8Array): void;
  next(match?: (frame: YFrame) => boolean, timeoutMs?: number): Promise<YFrame>;
  /** Frames received so far and not taken by next(). */
  readonly inbox: YFrame[];
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function yWebrtcUrl(signalUrl: string): string {
  return signalUrl.replace(/\/signal$/, '/y-webrtc');
}

export async function connectYWebrtcClient(url: string, options: { origin?: string } = {}): Promise<YWebrtcTestClient> {
  const inbox = new FrameInbox<YFrame>();
  const { socket, closed } = await openTestSocket(url, options.origin, (text) => {
    // The server must only ever send JSON objects: anything else fails the test here.
    const frame = JSON.parse(text) as unknown;
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new Error(`server sent a non-object frame: ${text}`);
    inbox.push(frame as YFrame);
  });
  return {
    socket,
    inbox: inbox.frames,
    closed,
    send: (frame) => socket.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame)),
    next: (match, timeoutMs) => inbox.next(match, timeoutMs),
    close: () => socket.close(),
  };
}
