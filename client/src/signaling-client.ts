/**
 * The client's side of the signaling protocol. It keeps one WebSocket per
 * configured signaling URL, joins the room on each that answers, reconnects
 * each with jittered exponential backoff, and validates every frame. The
 * mesh does not depend on it once links are up: it is only for bootstrap,
 * and while every server is down the room carries on over WebRTC.
 */
import {
  SIGNALING_CLOSE_CODES,
  joinProofMessage,
  parseServerMessage,
  toBase64Url,
  type ClientMessage,
  type JsonValue,
  type ServerMessage,
} from '../../shared/src/signaling.js';
import { ErrorCode } from '../../shared/src/errors.js';
import { Emitter } from './emitter.js';
import type { Identity } from './identity.js';

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

/**
 * 'open' while at least one server has the room joined; 'unreachable' while
 * every server's last attempt failed or was refused, and at least one failed
 * (a wrong URL, nothing listening; it keeps retrying those); 'refused' when
 * every server refused this client for good (see SignalingRefusal: nothing is
 * retried); 'connecting' before the first answer.
 */
export type SignalingStatus = 'connecting' | 'open' | 'unreachable' | 'refused' | 'closed';

/** A server's error frame, or a server this client cannot reach. */
export interface SignalingError {
  url: string;
  code: ErrorCode;
  message: string;
  /** The refused frame's type, when the server names it. */
  ref?: string;
}

/**
 * A server refused this client in a way no retry can fix, so that server is
 * not retried for the life of this client: its token is missing, forged or
 * expired, the page's Origin is not allowed, or the server refused the join
 * itself (wrong room for the token, a peer id or key the server does not
 * accept). A fresh token or identity means a new room (`joinRoom` again).
 */
export interface SignalingRefusal {
  url: string;
  /**
   * The WebSocket close code: 4401 (token) or 4403 (Origin). A join refused by
   * an error frame reads 4401 as well, with the server's code in `error`.
   */
  code: number;
  reason: string;
  /**
   * For a join refused by error frame, the server's code: one of FINAL_JOIN_REFUSALS.
   * For a refusal by close code, SIGNALING_REFUSED.
   */
  error: ErrorCode;
}

/**
 * Error codes with which a server refuses a join that the same join would meet
 * again on every retry: the token admits another room or has expired, the token
 * names another key, the peer id does not derive from the key, or the proof
 * does not verify. (PEER_ID_TAKEN, ROOM_FULL, TOO_MANY_ROOMS and UNAVAILABLE
 * can clear, so they are retried.)
 */
export const FINAL_JOIN_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ROOM_FORBIDDEN,
  ErrorCode.KEY_FORBIDDEN,
  ErrorCode.PEER_KEY_MISMATCH,
  ErrorCode.BAD_PEER_PROOF,
]);

export type SignalingEvents = {
  status: [SignalingStatus];
  joined: [peers: string[]];
  'peer-joined': [peer: string];
  signal: [from: string, data: JsonValue];
  /** An error frame from a server, or (code SIGNALING_UNREACHABLE) a failed connection attempt. */
  error: [error: SignalingError];
  /** A server refused this client for good (token, Origin, or the join itself); it is not retried. */
  refused: [info: SignalingRefusal];
};

export interface SignalingClientOptions {
  urls: readonly string[];
  room: string;
  /** This tab's id: the identity's, unless an explicit peerId was given (a server that checks keys refuses it). */
  peer: string;
  /** Signs each join over the server's challenge, proving the key `peer` derives from. */
  identity: Identity;
  WebSocket: WebSocketConstructor;
  random: () => number;
  /** First reconnect delay in ms; doubles per failure up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const OPEN = 1;

/** One server: one socket, its own backoff. */
class ServerConnection {
  private readonly url: string;
  private readonly owner: SignalingClient;
  private readonly options: Required<SignalingClientOptions>;
  private socket: WebSocketLike | null = null;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  joined = false;
  /** Peers this server named in the room (its joined sample, then peer-joined, less peer-left). */
  readonly peers = new Set<string>();
  connecting = false;
  /** The last attempt ended before the room was joined. */
  failed = false;
  /** Refused for good (see SignalingRefusal): never connected again. */
  refused = false;

  constructor(url: string, owner: SignalingClient, options: Required<SignalingClientOptions>) {
    this.url = url;
    this.owner = owner;
    this.options = options;
  }

  send(message: ClientMessage): boolean {
    if (!this.joined || this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  connect(): void {
    if (this.refused) return;
    this.connecting = true;
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.url);
    } catch (error) {
      this.fail(`cannot open a WebSocket to ${this.url}: ${(error as Error).message}`);
      this.scheduleRetry();
      this.owner.refreshStatus();
      return;
    }
    this.socket = socket;
    let errorText = '';
    socket.onopen = () => {
      this.attempts = 0;
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const parsed = parseServerMessage(event.data);
      if (!parsed.ok) return;
      // The server's first frame: the join goes out signed over it. An explicit peerId that is not
      // the identity's goes unsigned (a server that checks keys, the default, refuses it).
      if (parsed.value.type === 'challenge') {
        const { room, peer, identity } = this.options;
        const join: ClientMessage = { type: 'join', room, peer };
        if (peer === identity.id) {
          join.key = identity.publicKey;
          join.sig = toBase64Url(identity.sign(joinProofMessage(parsed.value.nonce, room, peer)));
        }
        socket.send(JSON.stringify(join));
        return;
      }
      const message = parsed.value;
      if (message.type === 'error' && message.ref === 'join' && FINAL_JOIN_REFUSALS.has(message.code)) {
        // The app hears the server's error (dispatch) and then, once, that this server is done.
        this.owner.dispatch(message, this.url);
        this.refuse({ code: SIGNALING_CLOSE_CODES.UNAUTHORIZED, reason: message.message, error: message.code });
        return;
      }
      this.track(message);
      if (parsed.value.type === 'joined' && parsed.value.room === this.options.room) {
        this.joined = true;
        this.connecting = false;
        this.failed = false;
        this.owner.refreshStatus();
      }
      this.owner.dispatch(parsed.value, this.url);
    };
    // Browsers say nothing about why (only close code 1006); ws gives a message.
    socket.onerror = (event) => {
      const message = (event as { message?: unknown } | null)?.message;
      if (typeof message === 'string') errorText = message;
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
      const wasJoined = this.joined;
      this.joined = false;
      this.peers.clear();
      if (!wasJoined && code !== SIGNALING_CLOSE_CODES.UNAUTHORIZED && code !== SIGNALING_CLOSE_CODES.FORBIDDEN_ORIGIN) {
        const why = errorText || (reason ? `closed ${code}: ${reason}` : `closed with code ${code ?? 'none'} before the room was joined`);
        this.fail(`cannot reach the signaling server at ${this.url} (${why}); check the URL and that murmur-signal runs there`);
      }
      // Retrying cannot fix a refused token or origin: stop and say why.
      if (code === SIGNALING_CLOSE_CODES.UNAUTHORIZED || code === SIGNALING_CLOSE_CODES.FORBIDDEN_ORIGIN) {
        const why = code === SIGNALING_CLOSE_CODES.UNAUTHORIZED ? 'the room token is missing, forged or expired' : "this page's Origin is not allowed";
        const message = `the signaling server at ${this.url} refused this client for good (close ${code}: ${reason || why}); it is not retried`;
        // Like a refused join: the app hears an error with a code, then, once, that this server is done.
        this.owner.emit('error', { url: this.url, code: ErrorCode.SIGNALING_REFUSED, message });
        this.refuse({ code, reason: reason ?? '', error: ErrorCode.SIGNALING_REFUSED });
        return;
      }
      this.scheduleRetry();
      this.owner.refreshStatus();
    };
  }

  close(sayLeave: boolean): void {
    if (sayLeave) this.send({ type: 'leave', room: this.options.room });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.joined = false;
    this.peers.clear();
    this.connecting = false;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onclose = socket.onmessage = null;
    // Keep an error handler: closing a socket that is still connecting
    // reports an error, and an unheard one would be thrown.
    socket.onerror = () => {};
    try {
      socket.close(1000, 'bye');
    } catch {
      // Already closing; nothing left to free.
    }
  }

  /** Done with this server for good: close, never retry, say so once. */
  private refuse(info: Omit<SignalingRefusal, 'url'>): void {
    this.refused = true;
    this.failed = false;
    this.close(false);
    // Status first, so a listener of the refusal already reads it.
    this.owner.refreshStatus();
    this.owner.emit('refused', { url: this.url, ...info });
  }

  private track(message: ServerMessage): void {
    if (message.type === 'challenge' || message.type === 'error' || message.room !== this.options.room) return;
    if (message.type === 'joined') {
      this.peers.clear();
      for (const peer of message.peers) this.peers.add(peer);
    } else if (message.type === 'peer-joined') this.peers.add(message.peer);
    else if (message.type === 'peer-left') this.peers.delete(message.peer);
  }

  /** Report a failed attempt once per run of failures (retries go on quietly). */
  private fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    // Status first, so a listener of the error already reads 'unreachable'.
    this.owner.refreshStatus();
    this.owner.emit('error', { url: this.url, code: ErrorCode.SIGNALING_UNREACHABLE, message });
  }

  private scheduleRetry(): void {
    this.connecting = true;
    // Exponential backoff with full jitter, so a room whose server restarts
    // does not reconnect in one thundering herd.
    const cap = Math.min(this.options.maxBackoffMs, this.options.minBackoffMs * 2 ** this.attempts);
    this.attempts += 1;
    const delay = this.options.minBackoffMs / 2 + this.options.random() * cap;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }
}

export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly room: string;
  private readonly servers: ServerConnection[];
  private running = false;
  status: SignalingStatus = 'closed';

  constructor(options: SignalingClientOptions) {
    super();
    // A 5 s ceiling: a room whose server restarts is whole again within seconds,
    // and full jitter still spreads 10,000 tabs over that window.
    const resolved: Required<SignalingClientOptions> = { minBackoffMs: 500, maxBackoffMs: 5_000, ...options };
    this.room = options.room;
    this.servers = options.urls.map((url) => new ServerConnection(url, this, resolved));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const server of this.servers) server.connect();
    this.refreshStatus();
  }

  /**
   * Send a signal to one peer through every server that has the room joined
   * (the target may be on any of them; the receiver drops duplicates).
   * False when no server is reachable now.
   */
  signal(to: string, data: JsonValue): boolean {
    let sent = false;
    for (const server of this.servers) sent = server.send({ type: 'signal', room: this.room, to, data }) || sent;
    return sent;
  }

  /**
   * Whether a joined server is known to have `peer` in the room. A server
   * names only a sample at join, so false means "not known", not "absent".
   */
  lists(peer: string): boolean {
    return this.servers.some((server) => server.joined && server.peers.has(peer));
  }

  /** Stop using the servers (the mesh carries on); `start()` reconnects. */
  suspend(): void {
    this.running = false;
    for (const server of this.servers) server.close(true);
    this.refreshStatus();
  }

  stop(): void {
    this.suspend();
    this.clear();
  }

  /** @internal */
  refreshStatus(): void {
    const status: SignalingStatus = this.servers.some((s) => s.joined)
      ? 'open'
      : this.running && this.servers.every((s) => s.refused)
        ? 'refused'
        : this.running && this.servers.every((s) => s.failed || s.refused)
          ? 'unreachable'
          : this.running && this.servers.some((s) => s.connecting)
            ? 'connecting'
            : 'closed';
    if (status === this.status) return;
    this.status = status;
    this.emit('status', status);
  }

  /** @internal */
  dispatch(message: ServerMessage, url: string): void {
    if (message.type === 'error') {
      const { code, message: text, ref } = message;
      this.emit('error', ref === undefined ? { url, code, message: text } : { url, code, message: text, ref });
      return;
    }
    // peer-left is not an event: the mesh learns departures itself (goodbyes, probes), faster and for every server.
    if (message.type === 'challenge' || message.room !== this.room) return;
    switch (message.type) {
      case 'joined':
        this.emit('joined', message.peers);
        break;
      case 'peer-joined':
        this.emit('peer-joined', message.peer);
        break;
      case 'signal':
        this.emit('signal', message.from, message.data);
        break;
    }
  }
}
