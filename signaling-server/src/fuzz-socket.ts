/**
 * Sockets for the fuzz tests: each records the server frames that fail
 * `isValid` and the close codes it saw, so a test can assert on both.
 */
import WebSocket from 'ws';

export interface FuzzObserved {
  badServerFrames: string[];
  closeCodes: number[];
  /** Server frames received, valid or not. */
  serverFrames: number;
}

export async function openFuzzSocket(url: string, observed: FuzzObserved, isValid: (text: string) => boolean): Promise<WebSocket> {
  const socket = new WebSocket(url);
  socket.on('message', (data, isBinary) => {
    observed.serverFrames += 1;
    const text = data.toString();
    if (isBinary || !isValid(text)) observed.badServerFrames.push(text.slice(0, 200));
  });
  socket.on('close', (code) => observed.closeCodes.push(code));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** Ignores the rate limit: sends `frame` up to `count` times, until the server closes the socket. Returns frames sent. */
export async function flood(socket: WebSocket, frame: string, count: number): Promise<number> {
  const closed = new Promise((resolve) => socket.once('close', resolve));
  let sent = 0;
  for (; sent < count && socket.readyState === WebSocket.OPEN; sent++) socket.send(frame);
  await closed;
  return sent;
}
