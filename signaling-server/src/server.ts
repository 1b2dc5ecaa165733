/**
 * The signaling server: introduces peers to each other and relays each
 * addressed `signal` to exactly one peer in the same room. It holds no room
 * state beyond who is connected, so a restart costs the mesh nothing but
 * bootstrap for newcomers.
 *
 * Safe to expose: admission (token, Origin) on the upgrade, limits on every
 * frame, Prometheus metrics, graceful shutdown, and with `redisUrl` several
 * instances share rooms. Every refusal is an `error` frame or a close code;
 * nothing a client sends can throw past a handler.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ErrorCode } from '../../shared/src/errors.js';
import { parseClientMessage } from '../../shared/src/signaling.js';
import { admit, CLOSE_CODES, isRefusal, KEEPER_QUERY_PARAM, roomTokenHook, type Grant } from './admission.js';
import { CONNECTION, OwnedSocket, type Connection } from './connection.js';
import { resolveConfig, type SignalingServerOptions } from './config.js';
import { createHttpHandler } from './http-routes.js';
import { runInOrder } from './in-order.js';
import { heldPeer, heldRoomNames } from './held-rooms.js';
import { createLogger, jsonLinesSink } from './logger.js';
import { createServerMetrics } from './server-metrics.js';
import { startPinger } from './liveness.js';
import { takeToken } from './rate-limit.js';
import { createRedisBus, type RedisBus, type RemoteNotice, type RemoteSignal } from './redis-bus.js';
import { RoomTable } from './room-table.js';
import { createYWebrtcEndpoint, Y_WEBRTC_PATH } from './y-webrtc-endpoint.js';
import { startKeeper, type Keeper } from './keeper.js';
import { createRoomToken } from './room-token.js';
import { createClientCaps } from './client-caps.js';
import { JoinDeadlines } from './join-deadline.js';
import { ExpiryQueue } from './token-expiry.js';
import { createChallenges } from './peer-proof.js';
import { createRoomOps } from './room-ops.js';

export type { SignalingServerOptions } from './config.js';
export type { LogRecord } from './logger.js';

export interface SignalingServer {
  /** The WebSocket URL clients connect to, e.g. ws://127.0.0.1:8787/signal. */
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  /** With `keep`: the keeper, this process's own peer in every room with a local peer. */
  readonly keeper: Keeper | undefined;
  /** Live counts of this instance, as /healthz reports them. */
  stats(): { rooms: number; peers: number; connections: number };
  /** The Prometheus text /metrics serves. */
  metrics(): string;
  /**
   * Graceful shutdown: stop accepting, close every socket with 1001, wait up
   * to shutdownGraceMs for clients to go, terminate the rest, release Redis
   * claims, and resolve when the port is free.
   */
  close(): Promise<void>;
}

export const SIGNAL_PATH = '/signal';

export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const config = resolveConfig(options);
  const log = createLogger(config.logLevel, config.log ?? jsonLinesSink);
  const hook = config.authenticate ?? (config.authSecret !== '' ? roomTokenHook(config.authSecret) : undefined);
  const table = new RoomTable<Connection>();
  const connections = new Set<Connection>();
  let draining = false;
  let bus: RedisBus | undefined;
  let keeper: Keeper | undefined;
  /** The keeper's proof that it is this process's own, so the caps per address and token skip it. */
  const keeperKey = config.keep === '' ? undefined : randomBytes(16).toString('hex');

  const stats = () => ({ rooms: table.roomCount, peers: table.peerCount, connections: connections.size });
  const metrics = createServerMetrics(stats);
  const caps = createClientCaps(config);
  const challengeOf = createChallenges();
  let serials = 0;
  /** Close after the socket's close handshake, or at the latest 1 s later: a client that never answers must not keep the slot. */
  const closeSoon = (ws: WebSocket, code: number, reason: string) => {
    ws.close(code, reason);
    setTimeout(() => ws.terminate(), 1000).unref();
  };
  const unjoined = new JoinDeadlines<Connection>(config.joinTimeoutMs, (conn) => {
    metrics.disconnects.inc({ reason: 'join_timeout' });
    closeSoon(conn.socket, CLOSE_CODES.JOIN_TIMEOUT, `no room joined within ${config.joinTimeoutMs} ms`);
  });
  const yWebrtc = createYWebrtcEndpoint({
    config,
    caps,
    closeSoon,
    log,
    registry: metrics.registry,
    publishRemote: (topic, data) => bus?.publishTopic(topic, data) ?? Promise.resolve(),
  });

  const http = createServer(
    createHttpHandler({
      stats,
      draining: () => draining,
      notReadyReasons: () => {
        const reasons: string[] = [];
        if (draining) reasons.push('draining');
        if (connections.size + yWebrtc.size >= config.maxConnections) reasons.push('full');
        if (bus && !bus.ready()) reasons.push('redis not ready');
        return reasons;
      },
      metricsText: () => metrics.registry.render(),
      onRequest: config.onRequest,
    }),
  );

  // ws's maxPayload is the hard stop (close 1009 before buffering); frames
  // between maxFrameBytes and it get a typed error reply and the socket stays.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxPayloadBytes, WebSocket: OwnedSocket });

  const refuse = (ws: WebSocket, code: number, reason: string, metric: string, req: IncomingMessage) => {
    metrics.refused.inc({ reason: metric });
    log({ level: 'info', msg: 'connection refused', code, reason, remote: req.socket.remoteAddress });
    // A refused client that never answers the close must not hold a socket for ws's 30 s close timeout.
    closeSoon(ws, code, reason);
  };

  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== SIGNAL_PATH && path !== Y_WEBRTC_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    // A named function, removed once ws owns the socket: a closure here would keep this
    // request (headers, head buffer) alive for the socket's whole life.
    socket.on('error', destroySocket);
    void admit(config, hook, req, keeperKey).then((verdict) => {
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', destroySocket);
        if (draining) return refuse(ws, CLOSE_CODES.GOING_AWAY, 'server shutting down', 'draining', req);
        if (isRefusal(verdict)) return refuse(ws, verdict.code, verdict.reason, verdict.metric, req);
        if (connections.size + yWebrtc.size >= config.maxConnections) {
          return refuse(ws, CLOSE_CODES.TRY_AGAIN_LATER, 'server full, try again later', 'capacity', req);
        }
        const capped = caps.takeConnection(verdict);
        if (capped !== undefined) return refuse(ws, CLOSE_CODES.TOO_MANY_CONNECTIONS, capped, 'client_cap', req);
        // http hands an upgrade its net.Socket (typed as a Duplex); liveness reads its byte count.
        if (path === Y_WEBRTC_PATH) return yWebrtc.accept(ws, socket as Socket, verdict);
        onConnection(ws, socket as Socket, verdict);
      });
    });
  });

  const { send, reject, sendInRoom, notifyLocal, leaveRoom, join, signal } = createRoomOps({
    config,
    table,
    metrics,
    log,
    caps,
    unjoined,
    challengeOf,
    bus: () => bus,
    keeper: () => keeper,
  });

  const onFrame = (conn: Connection, data: RawData, isBinary: boolean, receivedAt: number): void | Promise<void> => {
    const raw = isBinary ? new Uint8Array(0) : data.toString();
    const parsed = parseClientMessage(raw, isBinary, config.maxFrameBytes);
    if (!parsed.ok) return reject(conn, parsed.code, parsed.message, parsed.ref);
    const message = parsed.value;
    switch (message.type) {
      case 'join':
        return join(conn, message);
      case 'leave':
        if (heldPeer(conn, message.room) === undefined) return reject(conn, ErrorCode.NOT_IN_ROOM, `not in room '${message.room}'`, 'leave');
        return leaveRoom(conn, message.room);
      case 'signal': {
        const from = heldPeer(conn, message.room);
        if (from === undefined || conn.pending?.has(message.room) === true) {
          return reject(conn, ErrorCode.NOT_IN_ROOM, `join room '${message.room}' before signaling in it`, 'signal');
        }
        const out = { type: 'signal', room: message.room, from, data: message.data } as const;
        return signal(conn, message.to, out, receivedAt);
      }
    }
  };

  /** Rate limit first: a flood must cost a comparison, not a JSON parse. */
  const onMessage = (conn: Connection, data: RawData, isBinary: boolean): void => {
    // Frames still in flight after we closed the socket are not worth a reply or a metric.
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    const now = performance.now();
    metrics.received.inc();
    if (!takeToken(conn, now, config.rateLimit, config.rateBurst)) {
      metrics.rejected.inc({ reason: 'rate_limited' });
      if (now - conn.strikesSince > 1000) {
        conn.strikes = 0;
        conn.strikesSince = now;
      }
      conn.strikes += 1;
      if (conn.strikes === 1) {
        send(conn, { type: 'error', code: ErrorCode.RATE_LIMITED, message: `over ${config.rateLimit} frames/s; frames are being dropped` });
      }
      if (conn.strikes >= config.rateLimitCloseAfter) {
        metrics.disconnects.inc({ reason: 'rate_limited' });
        conn.socket.close(CLOSE_CODES.RATE_LIMITED, 'rate limit exceeded');
      }
      return;
    }
    runInOrder(conn, () => onFrame(conn, data, isBinary, now), onHandlerError);
  };

  // A bug in a handler must cost one frame, not the process. One function for every connection, not a closure each.
  const onHandlerError = (error: unknown) => log({ level: 'error', msg: 'frame handler failed', error: String(error) });

  /** Sockets whose token expires, closed with 4401 at that moment (one timer for all). */
  const expiries = new ExpiryQueue<Connection>(
    (conn) => conn.grant.expiresAt,
    (conn) => {
      metrics.disconnects.inc({ reason: 'token_expired' });
      closeSoon(conn.socket, CLOSE_CODES.UNAUTHORIZED, 'token expired; reconnect with a new one');
    },
  );

  function onSocketMessage(this: OwnedSocket, data: RawData, isBinary: boolean): void {
    const conn = this[CONNECTION];
    if (conn) onMessage(conn, data, isBinary);
  }
  function onSocketError(error: Error & { code?: string }): void {
    const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_big' : 'protocol';
    metrics.rejected.inc({ reason });
    log({ level: 'info', msg: 'socket error', error: error.message, code: error.code });
  }
  function onSocketClose(this: OwnedSocket): void {
    const conn = this[CONNECTION];
    if (!conn) return;
    connections.delete(conn);
    unjoined.remove(conn);
    expiries.remove(conn);
    caps.releaseConnection(conn.grant);
    for (const room of heldRoomNames(conn)) leaveRoom(conn, room);
  }

  const onConnection = (socket: OwnedSocket, tcp: Socket, grant: Grant) => {
    const conn: Connection = {
      socket,
      tcp,
      readAtPing: -1,
      room: undefined,
      peer: undefined,
      more: undefined,
      pending: undefined,
      grant,
      tokens: config.rateBurst,
      updatedAt: performance.now(),
      strikes: 0,
      strikesSince: 0,
      tail: undefined,
      expiryIndex: -1,
      serial: serials++,
    };
    expiries.add(conn);
    socket[CONNECTION] = conn;
    connections.add(conn);
    unjoined.add(conn);
    metrics.accepted.inc();
    socket.on('message', onSocketMessage);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    send(conn, { type: 'challenge', nonce: challengeOf(conn.serial) });
  };

  const onRemoteNotice = (notice: RemoteNotice) => {
    notifyLocal(notice.room, notice.peer, { type: notice.kind, room: notice.room, peer: notice.peer });
  };
  const onRemoteSignal = (remote: RemoteSignal) => {
    const target = table.lookup(remote.room, remote.to);
    if (target === undefined) {
      metrics.rejected.inc({ reason: 'remote_target_gone' });
      return;
    }
    sendInRoom(target, remote.room, { type: 'signal', room: remote.room, from: remote.from, data: remote.data });
  };

  if (config.redisUrl !== '') {
    bus = await createRedisBus({
      url: config.redisUrl,
      prefix: config.redisPrefix,
      log,
      onNotice: onRemoteNotice,
      onSignal: onRemoteSignal,
      onTopic: (topic, data) => yWebrtc.deliverRemote(topic, data),
    });
  }

  const pinger = startPinger(connections, config.pingIntervalMs, () => metrics.disconnects.inc({ reason: 'ping_timeout' }));

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    clearInterval(pinger);
    await yWebrtc.close(CLOSE_CODES.GOING_AWAY, 'server failed to start', 0);
    await bus?.close();
    throw error;
  }
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `ws://${hostForUrl}:${port}${SIGNAL_PATH}`;
  if (config.keep !== '') {
    // The keeper dials this instance on loopback like any Node peer; with room tokens it carries one for every room.
    const token = config.authSecret === '' ? '' : `&token=${createRoomToken({ room: '*', expiresAt: Date.now() + 100 * 365 * 86_400_000 }, config.authSecret)}`;
    const keeperHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : hostForUrl;
    keeper = await startKeeper({ dir: config.keep, signalingUrl: `ws://${keeperHost}:${port}${SIGNAL_PATH}?${KEEPER_QUERY_PARAM}=${String(keeperKey)}${token}`, log, registry: metrics.registry });
  }
  log({ level: 'info', msg: 'listening', url, redis: bus ? bus.instanceId : null, auth: hook !== undefined, keep: config.keep || null });

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    draining = true;
    clearInterval(pinger);
    unjoined.close();
    expiries.close();
    // The keeper leaves its rooms while the server can still carry its goodbyes.
    await keeper?.close().catch((error: unknown) => log({ level: 'error', msg: 'keeper close failed', error: String(error) }));
    const portFreed = new Promise<void>((resolve) => http.close(() => resolve()));
    log({ level: 'info', msg: 'draining', connections: connections.size });
    for (const conn of connections) conn.socket.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    const yWebrtcClosed = yWebrtc.close(CLOSE_CODES.GOING_AWAY, 'server shutting down', config.shutdownGraceMs);
    const deadline = Date.now() + config.shutdownGraceMs;
    while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const conn of connections) conn.socket.terminate();
    await yWebrtcClosed;
    wss.close();
    http.closeAllConnections();
    await bus?.close();
    await portFreed;
    log({ level: 'info', msg: 'closed' });
  };

  return {
    url,
    port,
    http,
    keeper,
    stats,
    metrics: () => metrics.registry.render(),
    close: () => (closing ??= close()),
  };
}

function destroySocket(this: Duplex): void {
  this.destroy();
}
