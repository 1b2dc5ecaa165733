/**
 * Frames a test client received and has not taken yet; `next` waits for the
 * first one matching a predicate, with a deadline (no sleeps).
 */
import WebSocket from 'ws';

export class FrameInbox<T> {
  readonly frames: T[] = [];
  private readonly waiters: Array<() => void> = [];

  push(frame: T): void {
    this.frames.push(frame);
    for (const wake of this.waiters.splice(0)) wake();
  }

  async next(match: (frame: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as T;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching server frame within ${timeoutMs} ms; inbox: ${JSON.stringify(this.frames).slice(0, 800)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Open a ws socket (with `origin` as the Origin header, if given) and hand back when it closes. */
export async function openTestSocket(url: string, origin: string | undefined, onFrame: (text: string) => void) {
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  socket.on('message', (data) => onFrame(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed };
}
