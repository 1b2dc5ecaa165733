/**
 * A WebSocket client for tests and benchmarks that queues every server frame
 * so a test can wait for the next one matching a predicate, with a deadline.
 */
import WebSocket from 'ws';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../shared/src/signaling.js';

export interface TestClient {
  readonly socket: WebSocket;
  send(message: ClientMessage | string | Uint8Array): void;
  next(match?: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function connectTestClient(url: string, options: { origin?: string } = {}): Promise<TestClient> {
  const socket = new WebSocket(url, options.origin === undefined ? {} : { origin: options.origin });
  const inbox: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data) => {
    const parsed = parseServerMessage(data.toString());
    if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.message}`);
    inbox.push(parsed.value);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    closed,
    send: (message) => socket.send(typeof message === 'string' || message instanceof Uint8Array ? message : JSON.stringify(message)),
    next: async (match = () => true, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex(match);
        if (index >= 0) return inbox.splice(index, 1)[0] as ServerMessage;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`no matching server frame within ${timeoutMs} ms; inbox: ${JSON.stringify(inbox)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => socket.close(),
  };
}
