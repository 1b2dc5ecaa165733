/**
 * WebSocket ping/pong liveness: every period each socket that answered the
 * last ping is pinged again, and one that did not is terminated (a dead TCP
 * peer otherwise holds its slot until the kernel gives up, minutes later).
 */
import type { WebSocket } from 'ws';

export interface Pingable {
  socket: WebSocket;
  /** Set true by the socket's 'pong' handler. */
  alive: boolean;
}

export function startPinger(connections: Iterable<Pingable>, periodMs: number, onTimeout: () => void): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        onTimeout();
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }, periodMs);
  timer.unref();
  return timer;
}
