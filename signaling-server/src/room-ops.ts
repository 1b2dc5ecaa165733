/**
 * What the server does with a socket's frames once they parse: join a room
 * (locally, or across instances through Redis), leave it, relay a signal, and
 * send or refuse. One set of functions serves every connection.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode } from '../../shared/src/errors.js';
import { encodeMessage, type ClientMessage, type ServerMessage } from '../../shared/src/signaling.js';
import { grantAdmits } from './admission.js';
import type { ClientCaps } from './client-caps.js';
import type { ResolvedConfig } from './config.js';
import type { Connection } from './connection.js';
import { dropRoom, heldCount, heldPeer, holdRoom } from './held-rooms.js';
import type { JoinDeadlines } from './join-deadline.js';
import type { Keeper } from './keeper.js';
import type { Logger } from './logger.js';
import { checkJoinProof } from './peer-proof.js';
import type { RedisBus } from './redis-bus.js';
import type { RoomTable } from './room-table.js';
import { errorReason, type ServerMetrics } from './server-metrics.js';

export interface RoomOpsDeps {
  config: ResolvedConfig;
  table: RoomTable<Connection>;
  metrics: ServerMetrics;
  log: Logger;
  caps: ClientCaps;
  /** Open sockets that hold no room, on the join clock. */
  unjoined: JoinDeadlines<Connection>;
  challengeOf: (serial: number) => string;
  /** Read at each call: Redis and the keeper start after the ops are made. */
  bus: () => RedisBus | undefined;
  keeper: () => Keeper | undefined;
}

export function createRoomOps(deps: RoomOpsDeps) {
  const { config, table, metrics, log, caps, unjoined, challengeOf } = deps;

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
    deps.keeper()?.peerLeft(room, peer);
    notifyLocal(room, peer, { type: 'peer-left', room, peer });
    deps.bus()?.release(room, peer).catch((error: unknown) => log({ level: 'warn', msg: 'redis release failed', room, error: String(error) }));
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
    const bus = deps.bus();
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
      deps.keeper()?.peerJoined(room, peer);
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
    deps.keeper()?.peerJoined(room, peer);
  };

  const signal = (conn: Connection, to: string, out: Extract<ServerMessage, { type: 'signal' }>, receivedAt: number) => {
    const room = out.room;
    const bus = deps.bus();
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

  return { send, reject, sendInRoom, notifyLocal, leaveRoom, join, signal };
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
