/**
 * WebSocket ping/pong liveness: every period each socket that sent anything
 * since the last ping (its pong, at least) is pinged again, and one that did
 * not is terminated (a dead TCP peer otherwise holds its slot until the
 * kernel gives up, minutes later).
 *
 * The sign of life is the TCP socket's byte count, not a 'pong' listener: a
 * fourth listener per WebSocket grows its listener table from 160 to 256
 * bytes, and a pong is 6 bytes read all the same.
 */
import type { WebSocket } from 'ws';

export interface Pingable {
  socket: WebSocket;
  /** The TCP stream under the WebSocket (the upgrade's socket). */
  tcp: { readonly bytesRead: number };
  /** tcp.bytesRead when the last ping went out; -1 before the first. */
  readAtPing: number;
}

export function startPinger(connections: Iterable<Pingable>, periodMs: number, onTimeout: () => void): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    for (const conn of connections) {
      const read = conn.tcp.bytesRead;
      if (read === conn.readAtPing) {
        onTimeout();
        conn.socket.terminate();
        continue;
      }
      conn.readAtPing = read;
      conn.socket.ping();
    }
  }, periodMs);
  timer.unref();
  return timer;
}
