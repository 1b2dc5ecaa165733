/**
 * `/y-webrtc`: y-webrtc 10's topic-based signaling on murmur-signal's port,
 * so an app on y-webrtc switches by changing one URL. Same hardening as the
 * murmur protocol and the same config knobs: every frame validated, rate
 * limit per connection (maxRoomsPerConnection topics, maxPeersPerRoom
 * subscribers per topic on this instance), slow readers dropped, ping/pong
 * liveness, Origin and token checked on the upgrade by the server, metrics,
 * and with Redis a publish reaches subscribers on every instance.
 *
 * A token that names rooms admits its connection to topics of those names only.
 * The caps per address and per token, the deadline to join (here: to
 * subscribe) and token expiry on open sockets apply as on /signal; a topic
 * counts as a room slot.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import { ErrorCode } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { CLOSE_CODES, grantAdmits, type Grant } from './admission.js';
import type { ResolvedConfig } from './config.js';
import type { Logger } from './logger.js';
import type { MetricsRegistry } from './metrics.js';
import { startPinger, type Pingable } from './liveness.js';
import { createBucket, takeToken, type Bucket } from './rate-limit.js';
import type { ClientCaps } from './client-caps.js';
import { JoinDeadlines } from './join-deadline.js';
import { ExpiryQueue, type Expiring } from './token-expiry.js';
import { parseYWebrtcFrame, type YWebrtcClientFrame, type YWebrtcServerFrame } from './y-webrtc-frames.js';

export const Y_WEBRTC_PATH = '/y-webrtc';

export interface YWebrtcEndpointOptions {
  config: ResolvedConfig;
  /** The server's caps per address and token, shared with /signal. */
  caps: ClientCaps;
  /** Close with a code, terminating if the client does not finish the handshake soon. */
  closeSoon: (socket: WebSocket, code: number, reason: string) => void;
  log: Logger;
  registry: MetricsRegistry;
  /** Hands a publish to the other instances (Redis); they call deliverRemote. */
  publishRemote?: (topic: string, data: JsonValue) => Promise<void>;
}

export interface YWebrtcEndpoint {
  /** `tcp`: the upgrade's socket under `socket`, for liveness. */
  accept(socket: WebSocket, tcp: Socket, grant: Grant): void;
  /** A publish that arrived from another instance: deliver it to the local subscribers. */
  deliverRemote(topic: string, data: JsonValue): void;
  readonly size: number;
  /** Close every socket with `code`; resolves once they are gone or `graceMs` passed (the rest are terminated). */
  close(code: number, reason: string, graceMs: number): Promise<void>;
}

interface YConnection extends Pingable, Expiring {
  topics: Set<string>;
  grant: Grant;
  bucket: Bucket;
  strikes: number;
  strikesSince: number;
}

export function createYWebrtcEndpoint(options: YWebrtcEndpointOptions): YWebrtcEndpoint {
  const { config, caps, closeSoon, log, registry } = options;
  const connections = new Set<YConnection>();
  const topics = new Map<string, Set<YConnection>>();

  registry.gauge('murmur_signal_ywebrtc_connections', 'Open /y-webrtc connections on this instance.', () => connections.size);
  registry.gauge('murmur_signal_ywebrtc_topics', 'y-webrtc topics with at least one subscriber on this instance.', () => topics.size);
  const received = registry.counter('murmur_signal_ywebrtc_frames_received_total', 'Frames received on /y-webrtc.');
  const rejected = registry.counter('murmur_signal_ywebrtc_frames_rejected_total', 'Frames refused on /y-webrtc, by reason.');
  const published = registry.counter('murmur_signal_ywebrtc_published_total', 'y-webrtc publishes delivered to a subscriber (one per receiver).');
  const disconnects = registry.counter('murmur_signal_ywebrtc_disconnects_total', '/y-webrtc connections closed by the server, by reason.');

  /** Sockets whose token expires, closed with 4401 at that moment (one timer for all). */
  const expiries = new ExpiryQueue<YConnection>(
    (conn) => conn.grant.expiresAt,
    (conn) => {
      disconnects.inc({ reason: 'token_expired' });
      closeSoon(conn.socket, CLOSE_CODES.UNAUTHORIZED, 'token expired; reconnect with a new one');
    },
  );
  const unsubscribed = new JoinDeadlines<YConnection>(config.joinTimeoutMs, (conn) => {
    disconnects.inc({ reason: 'join_timeout' });
    closeSoon(conn.socket, CLOSE_CODES.JOIN_TIMEOUT, `no topic subscribed within ${config.joinTimeoutMs} ms`);
  });

  const send = (conn: YConnection, frame: YWebrtcServerFrame): void => {
    const socket = conn.socket;
    if (socket.readyState !== socket.OPEN) return;
    socket.send(JSON.stringify(frame));
    if (socket.bufferedAmount > config.maxBufferedBytes) {
      disconnects.inc({ reason: 'slow_reader' });
      socket.terminate();
    }
  };

  const reject = (conn: YConnection, code: ErrorCode, message: string, ref?: string): void => {
    rejected.inc({ reason: code.replace(/^MURMUR_/, '').toLowerCase() });
    send(conn, ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  };

  const unsubscribe = (conn: YConnection, topic: string): void => {
    if (!conn.topics.delete(topic)) return;
    caps.releaseRoomSlot(conn.grant);
    if (conn.topics.size === 0 && conn.socket.readyState === conn.socket.OPEN) unsubscribed.add(conn);
    const subscribers = topics.get(topic);
    subscribers?.delete(conn);
    if (subscribers?.size === 0) topics.delete(topic);
  };

  const subscribe = (conn: YConnection, topic: string): void => {
    if (conn.topics.has(topic)) return;
    if (conn.topics.size >= config.maxRoomsPerConnection) {
      return reject(conn, ErrorCode.TOO_MANY_ROOMS, `a connection may subscribe to at most ${config.maxRoomsPerConnection} topics`, 'subscribe');
    }
    if (!grantAdmits(conn.grant, topic)) {
      return reject(conn, ErrorCode.ROOM_FORBIDDEN, `your token does not admit you to topic '${topic.slice(0, 64)}'`, 'subscribe');
    }
    if (Date.now() >= conn.grant.expiresAt) return reject(conn, ErrorCode.ROOM_FORBIDDEN, 'your token has expired; reconnect with a new one', 'subscribe');
    let subscribers = topics.get(topic);
    if (subscribers && subscribers.size >= config.maxPeersPerRoom) {
      return reject(conn, ErrorCode.ROOM_FULL, `topic '${topic.slice(0, 64)}' is full (${config.maxPeersPerRoom} subscribers)`, 'subscribe');
    }
    const refused = caps.takeRoomSlot(conn.grant);
    if (refused !== undefined) {
      rejected.inc({ reason: 'room_slots' });
      return send(conn, { type: 'error', code: ErrorCode.TOO_MANY_ROOMS, message: refused, ref: 'subscribe' });
    }
    if (!subscribers) topics.set(topic, (subscribers = new Set()));
    subscribers.add(conn);
    conn.topics.add(topic);
    unsubscribed.remove(conn);
  };

  const deliverLocal = (topic: string, data: JsonValue): void => {
    const subscribers = topics.get(topic);
    if (!subscribers) return;
    const frame: YWebrtcServerFrame = { type: 'publish', topic, data, clients: subscribers.size };
    for (const receiver of [...subscribers]) send(receiver, frame);
    published.inc({}, subscribers.size);
  };

  const onFrame = (conn: YConnection, frame: YWebrtcClientFrame): void => {
    switch (frame.type) {
      case 'subscribe':
        for (const topic of frame.topics) subscribe(conn, topic);
        return;
      case 'unsubscribe':
        for (const topic of frame.topics) unsubscribe(conn, topic);
        return;
      case 'publish':
        // Only members may speak in a topic: a stranger cannot spray a room it never joined.
        if (!conn.topics.has(frame.topic)) {
          return reject(conn, ErrorCode.NOT_IN_ROOM, `subscribe to topic '${frame.topic.slice(0, 64)}' before publishing to it`, 'publish');
        }
        deliverLocal(frame.topic, frame.data);
        options.publishRemote?.(frame.topic, frame.data).catch((error: unknown) => {
          log({ level: 'warn', msg: 'redis y-webrtc publish failed', error: String(error) });
        });
        return;
      case 'ping':
        return send(conn, { type: 'pong' });
    }
  };

  /** Rate limit first, as on /signal: a flood costs a comparison, not a JSON parse. */
  const onMessage = (conn: YConnection, data: RawData, isBinary: boolean): void => {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    const now = performance.now();
    received.inc();
    if (!takeToken(conn.bucket, now, config.rateLimit, config.rateBurst)) {
      rejected.inc({ reason: 'rate_limited' });
      if (now - conn.strikesSince > 1000) {
        conn.strikes = 0;
        conn.strikesSince = now;
      }
      conn.strikes += 1;
      if (conn.strikes === 1) send(conn, { type: 'error', code: ErrorCode.RATE_LIMITED, message: `over ${config.rateLimit} frames/s; frames are being dropped` });
      if (conn.strikes >= config.rateLimitCloseAfter) {
        disconnects.inc({ reason: 'rate_limited' });
        conn.socket.close(CLOSE_CODES.RATE_LIMITED, 'rate limit exceeded');
      }
      return;
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
    const parsed = parseYWebrtcFrame(isBinary ? '' : data.toString(), isBinary, size, config.maxFrameBytes);
    if (!parsed.ok) return reject(conn, parsed.code, parsed.message, parsed.ref);
    try {
      onFrame(conn, parsed.value);
    } catch (error) {
      // A bug in a handler must cost one frame, not the process.
      log({ level: 'error', msg: 'y-webrtc frame handler failed', error: String(error) });
    }
  };

  const pinger = startPinger(connections, config.pingIntervalMs, () => disconnects.inc({ reason: 'ping_timeout' }));

  return {
    get size() {
      return connections.size;
    },
    accept: (socket, tcp, grant) => {
      const conn: YConnection = {
        socket,
        tcp,
        readAtPing: -1,
        topics: new Set(),
        grant,
        bucket: createBucket(config.rateBurst, performance.now()),
        strikes: 0,
        strikesSince: 0,
        expiryIndex: -1,
      };
      connections.add(conn);
      expiries.add(conn);
      unsubscribed.add(conn);
      socket.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
      socket.on('error', (error: Error & { code?: string }) => {
        rejected.inc({ reason: error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'protocol' });
        log({ level: 'info', msg: 'y-webrtc socket error', error: error.message, code: error.code });
      });
      socket.on('close', () => {
        connections.delete(conn);
        unsubscribed.remove(conn);
        expiries.remove(conn);
        caps.releaseConnection(conn.grant);
        for (const topic of [...conn.topics]) unsubscribe(conn, topic);
      });
    },
    deliverRemote: deliverLocal,
    close: async (code, reason, graceMs) => {
      clearInterval(pinger);
      unsubscribed.close();
      expiries.close();
      for (const conn of connections) conn.socket.close(code, reason);
      const deadline = Date.now() + graceMs;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const conn of connections) conn.socket.terminate();
    },
  };
}
