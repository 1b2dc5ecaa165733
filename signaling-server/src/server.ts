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
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ErrorCode } from '../../shared/src/errors.js';
import { encodeMessage, parseClientMessage, type ClientMessage, type ServerMessage } from '../../shared/src/signaling.js';
import { admit, CLOSE_CODES, grantAdmits, isRefusal, KEEPER_QUERY_PARAM, roomTokenHook, type Grant } from './admission.js';
import { resolveConfig, type SignalingServerOptions } from './config.js';
import { createHttpHandler } from './http-routes.js';
import { runInOrder, type InOrder } from './in-order.js';
import { dropRoom, heldCount, heldPeer, heldRoomNames, holdRoom, type HeldRooms } from './held-rooms.js';
import { createLogger, jsonLinesSink } from './logger.js';
import { createServerMetrics, errorReason } from './server-metrics.js';
import { startPinger, type Pingable } from './liveness.js';
import { takeToken, type Bucket } from './rate-limit.js';
import { createRedisBus, type RedisBus, type RemoteNotice, type RemoteSignal } from './redis-bus.js';
import { RoomTable } from './room-table.js';
import { createYWebrtcEndpoint, Y_WEBRTC_PATH } from './y-webrtc-endpoint.js';
import { startKeeper, type Keeper } from './keeper.js';
import { createRoomToken } from './room-token.js';
import { createClientCaps } from './client-caps.js';
import { JoinDeadlines } from './join-deadline.js';
import { ExpiryQueue, type Expiring } from './token-expiry.js';
import { checkJoinProof, createChallenges } from './peer-proof.js';

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

/** The connection a socket belongs to, so one set of listeners serves every socket (a closure each costs memory). */
const CONNECTION = Symbol('murmur.connection');

/**
 * ws builds every socket from this class (its `WebSocket` option), so the
 * field that names the connection is laid out at construction: added to a
 * plain WebSocket afterwards it cost a property array per socket (~40 bytes).
 */
class OwnedSocket extends WebSocket {
  [CONNECTION]?: Connection | undefined = undefined;
}

/**
 * Everything a socket costs beyond ws's own objects, in one object: the token
 * bucket, the rooms held (the first inline), the frame queue's tail and the
 * liveness count are its fields, not objects of their own (bench/signal-heap.ts
 * counts what each connection holds).
 */
interface Connection extends Bucket, HeldRooms, InOrder, Pingable, Expiring {
  /**
   * Rooms whose join is waiting on Redis: frames for them queue here until `joined` is sent.
   * Made on first use: most connections (and every standalone one) never need it.
   */
  pending: Map<string, ServerMessage[]> | undefined;
  grant: Grant;
  /** Frames dropped for rate since `strikesSince`; the count restarts every second. */
  strikes: number;
  strikesSince: number;
  /**
   * This socket's number: its challenge (sent on connect, signed by every join, so a captured
   * join is worthless on any other socket) is challengeOf(serial).
   */
  serial: number;
}

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

  /** Send, then drop a reader that lets more than maxBufferedBytes pile up: its backlog is our memory. */
  const send = (conn: Connection, message: ServerMessage): void => {
    const socket = conn.socket;
    if (socket.readyState !== socket.OPEN) return;
    socket.send(encodeMessage(message));
    if (socket.bufferedAmount > config.maxBufferedBytes) {
      metrics.disconnects.inc({ reason: 'slow_reader' });
      log({ level: 'info', msg: 'dropping slow reader', buffered: socket.bufferedAmount });
      socket.terminate();
    }
  };

  /** Room-scoped frames for a room whose join is in flight wait until `joined` has gone out. */
  const sendInRoom = (conn: Connection, room: string, message: ServerMessage): void => {
    const queue = conn.pending?.get(room);
    if (queue) queue.push(message);
    else send(conn, message);
  };

  const reject = (conn: Connection, code: ErrorCode, message: string, ref?: string): void => {
    metrics.rejected.inc({ reason: errorReason(code) });
    send(conn, ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  };

  const notifyLocal = (room: string, except: string, message: ServerMessage): void => {
    for (const [, other] of table.others(room, except)) sendInRoom(other, room, message);
  };

  /** Give up the room; `keepSlot` when the same connection re-joins it under another id at once. */
  const leaveRoom = (conn: Connection, room: string, keepSlot = false): void => {
    const peer = heldPeer(conn, room);
    if (peer === undefined) return;
    dropRoom(conn, room);
    if (!keepSlot) caps.releaseRoomSlot(conn.grant);
    // An open socket that holds no room again is on the join clock again.
    if (heldCount(conn) === 0 && conn.socket.readyState === conn.socket.OPEN) unjoined.add(conn);
    // Frames of one connection are handled in order, so only a disconnect lands here mid-join;
    // joinAcrossInstances sees the pending entry gone and releases its own claim.
    const midJoin = conn.pending?.delete(room) ?? false;
    if (!table.leave(room, peer, conn) || midJoin) return;
    keeper?.peerLeft(room, peer);
    notifyLocal(room, peer, { type: 'peer-left', room, peer });
    bus?.release(room, peer).catch((error: unknown) => log({ level: 'warn', msg: 'redis release failed', room, error: String(error) }));
  };

  const checkJoin = (conn: Connection, room: string): [ErrorCode, string] | undefined => {
    if (heldPeer(conn, room) === undefined && heldCount(conn) >= config.maxRoomsPerConnection) {
      return [ErrorCode.TOO_MANY_ROOMS, `a connection may be in at most ${config.maxRoomsPerConnection} rooms`];
    }
    if (!grantAdmits(conn.grant, room)) {
      return [ErrorCode.ROOM_FORBIDDEN, `your token does not admit you to room '${room}'`];
    }
    if (Date.now() >= conn.grant.expiresAt) return [ErrorCode.ROOM_FORBIDDEN, 'your token has expired; reconnect with a new one'];
    return undefined;
  };

  const join = (conn: Connection, message: Extract<ClientMessage, { type: 'join' }>): void | Promise<void> => {
    const { room, peer } = message;
    const problem =
      checkJoin(conn, room) ??
      checkJoinProof(message, { challenge: challengeOf(conn.serial), required: config.requirePeerKeys, tokenKey: conn.grant.key, trusted: !conn.grant.capped });
    // Counted by code in murmur_signal_frames_rejected_total (peer_key_mismatch, bad_peer_proof, key_forbidden).
    if (problem) return reject(conn, problem[0], problem[1], 'join');
    const current = heldPeer(conn, room);
    if (current === peer) {
      // A repeated join is a cheap way to ask for a fresh sample; no one else hears of it.
      if (!bus) return send(conn, { type: 'joined', room, peer, peers: table.sample(room, peer, config.sampleSize, Math.random) });
      return bus.peers(room).then(
        (all) => send(conn, { type: 'joined', room, peer, peers: pick(all, peer, config.sampleSize) }),
        () => reject(conn, ErrorCode.UNAVAILABLE, 'room directory unavailable; retry', 'join'),
      );
    }
    if (table.lookup(room, peer) !== undefined) {
      return reject(conn, ErrorCode.PEER_ID_TAKEN, `peer id '${peer}' is already in room '${room}'`, 'join');
    }
    const localSize = table.size(room) - (current === undefined ? 0 : 1);
    if (localSize >= config.maxPeersPerRoom) {
      return reject(conn, ErrorCode.ROOM_FULL, `room '${room}' is full (${config.maxPeersPerRoom} peers)`, 'join');
    }
    if (current === undefined) {
      const refused = caps.takeRoomSlot(conn.grant);
      if (refused !== undefined) {
        metrics.rejected.inc({ reason: 'room_slots' });
        return send(conn, { type: 'error', code: ErrorCode.TOO_MANY_ROOMS, message: refused, ref: 'join' });
      }
    } else {
      leaveRoom(conn, room, true);
    }
    table.join(room, peer, conn);
    holdRoom(conn, room, peer);
    unjoined.remove(conn);
    if (!bus) {
      send(conn, { type: 'joined', room, peer, peers: table.sample(room, peer, config.sampleSize, Math.random) });
      notifyLocal(room, peer, { type: 'peer-joined', room, peer });
      keeper?.peerJoined(room, peer);
      return;
    }
    return joinAcrossInstances(bus, conn, room, peer);
  };

  /**
   * The peer is in the local table before the Redis claim, so a remote signal
   * or notice that races the claim is queued for it rather than lost.
   */
  const joinAcrossInstances = async (redis: RedisBus, conn: Connection, room: string, peer: string): Promise<void> => {
    (conn.pending ??= new Map()).set(room, []);
    const undo = () => {
      conn.pending?.delete(room);
      // Gone already when the socket closed mid-claim (leaveRoom ran and gave the slot back).
      if (heldPeer(conn, room) === peer) {
        dropRoom(conn, room);
        caps.releaseRoomSlot(conn.grant);
        if (heldCount(conn) === 0 && conn.socket.readyState === conn.socket.OPEN) unjoined.add(conn);
      }
      table.leave(room, peer, conn);
    };
    let peers: string[];
    try {
      const claimed = await redis.claim(room, peer, config.maxPeersPerRoom);
      if (claimed !== 'ok') {
        undo();
        if (claimed === 'taken') reject(conn, ErrorCode.PEER_ID_TAKEN, `peer id '${peer}' is already in room '${room}'`, 'join');
        else reject(conn, ErrorCode.ROOM_FULL, `room '${room}' is full (${config.maxPeersPerRoom} peers)`, 'join');
        return;
      }
      peers = pick(await redis.peers(room), peer, config.sampleSize);
      await redis.announceJoin(room, peer);
    } catch (error) {
      undo();
      redis.release(room, peer).catch(() => {});
      log({ level: 'warn', msg: 'redis join failed', room, error: String(error) });
      reject(conn, ErrorCode.UNAVAILABLE, 'room directory unavailable; retry', 'join');
      return;
    }
    const queued = conn.pending?.get(room);
    if (queued === undefined) {
      // Disconnected while the claim was in flight: take the claim back.
      await redis.release(room, peer).catch(() => {});
      return;
    }
    conn.pending?.delete(room);
    send(conn, { type: 'joined', room, peer, peers });
    const known = new Set(peers);
    for (const message of queued) {
      if (message.type === 'peer-joined' && known.has(message.peer)) continue;
      send(conn, message);
    }
    notifyLocal(room, peer, { type: 'peer-joined', room, peer });
    keeper?.peerJoined(room, peer);
  };

  const signal = (conn: Connection, to: string, out: Extract<ServerMessage, { type: 'signal' }>, receivedAt: number) => {
    const room = out.room;
    const target = table.lookup(room, to);
    if (target !== undefined) {
      sendInRoom(target, room, out);
      metrics.relayed.inc();
      metrics.latency.observe((performance.now() - receivedAt) / 1000);
      return;
    }
    if (!bus) return reject(conn, ErrorCode.UNKNOWN_TARGET, `no peer '${to}' in room '${room}'`, 'signal');
    return bus.relay({ room, from: out.from, to, data: out.data }).then(
      (delivered) => {
        if (!delivered) return reject(conn, ErrorCode.UNKNOWN_TARGET, `no peer '${to}' in room '${room}'`, 'signal');
        metrics.relayed.inc();
        metrics.latency.observe((performance.now() - receivedAt) / 1000);
      },
      (error: unknown) => {
        log({ level: 'warn', msg: 'redis relay failed', room, error: String(error) });
        reject(conn, ErrorCode.UNAVAILABLE, 'relay unavailable; retry', 'signal');
      },
    );
  };

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

/** Up to `k` of `peers` other than `self`, uniformly at random. */
function pick(peers: readonly string[], self: string, k: number): string[] {
  const others = peers.filter((p) => p !== self);
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [others[i], others[j]] = [others[j] as string, others[i] as string];
  }
  return others.slice(0, k);
}
