/**
 * What the server keeps per socket: the socket class ws builds every socket
 * from, and the one object that holds everything else a connection costs.
 */
import { WebSocket } from 'ws';
import type { Grant } from './admission.js';
import type { HeldRooms } from './held-rooms.js';
import type { InOrder } from './in-order.js';
import type { Pingable } from './liveness.js';
import type { Bucket } from './rate-limit.js';
import type { ServerMessage } from '../../shared/src/signaling.js';
import type { Expiring } from './token-expiry.js';

/** The connection a socket belongs to, so one set of listeners serves every socket (a closure each costs memory). */
export const CONNECTION = Symbol('murmur.connection');

/**
 * ws builds every socket from this class (its `WebSocket` option), so the
 * field that names the connection is laid out at construction: added to a
 * plain WebSocket afterwards it cost a property array per socket (~40 bytes).
 */
export class OwnedSocket extends WebSocket {
  [CONNECTION]?: Connection | undefined = undefined;
}

/**
 * Everything a socket costs beyond ws's own objects, in one object: the token
 * bucket, the rooms held (the first inline), the frame queue's tail and the
 * liveness count are its fields, not objects of their own (bench/signal-heap.ts
 * counts what each connection holds).
 */
export interface Connection extends Bucket, HeldRooms, InOrder, Pingable, Expiring {
  /**
   * Rooms whose join is waiting on Redis: frames for them queue here until `joined` is sent.
   * Made on first use: most connections (and every standalone one) never need it.
   */
  pending: Map<string, ServerMessage[]> | undefined;
  grant: Grant;
  /** Frames dropped for rate since `strikesSince`; the count restarts every second. */
  strikes: number;
  strikesSince: number;
  /**
   * This socket's number: its challenge (sent on connect, signed by every join, so a captured
   * join is worthless on any other socket) is challengeOf(serial).
   */
  serial: number;
}
