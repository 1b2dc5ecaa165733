/**
 * The client's side of the signaling protocol: one WebSocket to the first
 * signaling URL that answers, rejoin after a drop with jittered exponential
 * backoff, and validated frames both ways. The mesh does not depend on it
 * once links are up; it is only for bootstrap.
 */
import { parseServerMessage, type ClientMessage, type JsonValue, type ServerMessage } from '../../shared/src/signaling.js';
import { Emitter } from './emitter.js';

/** The WebSocket constructor shape both browsers and `ws` provide. */
export type WebSocketLike = {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
};
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type SignalingStatus = 'connecting' | 'open' | 'closed';

export interface SignalingEvents {
  [name: string]: unknown[];
  status: [SignalingStatus];
  joined: [peers: string[]];
  'peer-joined': [peer: string];
  'peer-left': [peer: string];
  signal: [from: string, data: JsonValue];
  error: [message: ServerMessage & { type: 'error' }];
}

export interface SignalingClientOptions {
  urls: readonly string[];
  room: string;
  peer: string;
  WebSocket: WebSocketConstructor;
  random: () => number;
  /** First reconnect delay in ms; doubles per failure up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const OPEN = 1;

export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly options: Required<SignalingClientOptions>;
  private socket: WebSocketLike | null = null;
  private urlIndex = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private suspended = false;
  status: SignalingStatus = 'closed';

  constructor(options: SignalingClientOptions) {
    super();
    this.options = { minBackoffMs: 500, maxBackoffMs: 15_000, ...options };
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Send a signal to one peer; false when the server is not reachable now. */
  signal(to: string, data: JsonValue): boolean {
    return this.send({ type: 'signal', room: this.options.room, to, data });
  }

  /**
   * Stop using the server (test hook and a user's choice alike): the mesh
   * carries on; `resume()` reconnects.
   */
  suspend(): void {
    this.suspended = true;
    this.teardown();
  }

  resume(): void {
    if (!this.suspended || this.stopped) return;
    this.suspended = false;
    this.connect();
  }

  stop(): void {
    if (this.socket?.readyState === OPEN) this.send({ type: 'leave', room: this.options.room });
    this.stopped = true;
    this.teardown();
    this.clear();
  }

  private send(message: ClientMessage): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private setStatus(status: SignalingStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }

  private teardown(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onclose = null;
      socket.onmessage = null;
      // Keep an error handler: closing a socket that is still connecting
      // reports an error, and an unheard one would be thrown.
      socket.onerror = () => {};
      try {
        socket.close(1000, 'bye');
      } catch {
        // Already closing; nothing left to free.
      }
    }
    this.setStatus('closed');
  }

  private connect(): void {
    if (this.stopped || this.suspended) return;
    const url = this.options.urls[this.urlIndex % this.options.urls.length] as string;
    this.setStatus('connecting');
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.setStatus('open');
      this.send({ type: 'join', room: this.options.room, peer: this.options.peer });
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const parsed = parseServerMessage(event.data);
      if (!parsed.ok) return;
      this.dispatch(parsed.value);
    };
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setStatus('closed');
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped || this.suspended) return;
    // Try the next URL; back off exponentially with full jitter so a room
    // whose server restarts does not reconnect in one thundering herd.
    this.urlIndex += 1;
    const cap = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** this.attempts);
    this.attempts += 1;
    const delay = this.options.minBackoffMs / 2 + this.options.random() * cap;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        if (message.room === this.options.room) this.emit('joined', message.peers);
        break;
      case 'peer-joined':
        if (message.room === this.options.room) this.emit('peer-joined', message.peer);
        break;
      case 'peer-left':
        if (message.room === this.options.room) this.emit('peer-left', message.peer);
        break;
      case 'signal':
        if (message.room === this.options.room) this.emit('signal', message.from, message.data);
        break;
      case 'error':
        this.emit('error', message);
        break;
    }
  }
}
