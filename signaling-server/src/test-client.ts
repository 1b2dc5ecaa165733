/**
 * A WebSocket client for tests and benchmarks that queues every server frame
 * so a test can wait for the next one matching a predicate, with a deadline.
 */
import type WebSocket from 'ws';
import { FrameInbox, openTestSocket } from './frame-inbox.js';
import { joinProofMessage, parseServerMessage, toBase64Url, type ClientMessage, type ServerMessage } from '../../shared/src/signaling.js';
import type { Identity } from '../../client/src/identity.js';

export interface TestClient {
  readonly socket: WebSocket;
  send(message: ClientMessage | string | Uint8Array): void;
  next(match?: (message: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
  /** The server's challenge for this socket (its first frame, kept out of `next`). */
  challenge: Promise<string>;
}

export async function connectTestClient(url: string, options: { origin?: string } = {}): Promise<TestClient> {
  const inbox = new FrameInbox<ServerMessage>();
  let gotChallenge: (nonce: string) => void = () => {};
  const challenge = new Promise<string>((resolve) => (gotChallenge = resolve));
  const { socket, closed } = await openTestSocket(url, options.origin, (text) => {
    const parsed = parseServerMessage(text);
    if (!parsed.ok) throw new Error(`server sent an invalid frame: ${parsed.message}`);
    if (parsed.value.type === 'challenge') gotChallenge(parsed.value.nonce);
    else inbox.push(parsed.value);
  });
  return {
    socket,
    closed,
    challenge,
    send: (message) => socket.send(typeof message === 'string' || message instanceof Uint8Array ? message : JSON.stringify(message)),
    next: (match, timeoutMs) => inbox.next(match, timeoutMs),
    close: () => socket.close(),
  };
}

/** Send a join and wait for its answer (`joined` or `error`). */
export async function joinRoom(c: TestClient, room: string, peer: string): Promise<ServerMessage> {
  c.send({ type: 'join', room, peer });
  return c.next((m) => m.type === 'joined' || m.type === 'error');
}

/** A join frame signed by `identity` over `challenge` (for `peer`, default the identity's id). */
export function signedJoin(identity: Identity, challenge: string, room: string, peer: string = identity.id): Extract<ClientMessage, { type: 'join' }> {
  return { type: 'join', room, peer, key: identity.publicKey, sig: toBase64Url(identity.sign(joinProofMessage(challenge, room, peer))) };
}

/** Join as `identity`, signed over this socket's challenge, and wait for the answer. */
export async function joinWithKey(c: TestClient, room: string, identity: Identity): Promise<ServerMessage> {
  c.send(signedJoin(identity, await c.challenge, room));
  return c.next((m) => m.type === 'joined' || m.type === 'error');
}

/** The value of one sample line (`name{labels}`) of a Prometheus text, 0 when absent. */
export function metricValue(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}
