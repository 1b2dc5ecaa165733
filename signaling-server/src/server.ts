/**
 * The signaling server: introduces peers to each other and relays each
 * addressed `signal` to exactly one peer in the same room. It holds no room
 * state beyond who is connected, so a restart costs the mesh nothing but
 * bootstrap for newcomers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeMessage,
  parseClientMessage,
  type ServerMessage,
} from '../../shared/src/signaling.js';
import { RoomTable } from './room-table.js';

export interface SignalingServerOptions {
  /** TCP port; 0 picks a free one. Default 8787. */
  port?: number;
  /** Interface to bind. Default '127.0.0.1' (loopback only; pass '0.0.0.0' to expose). */
  host?: string;
  /** Largest accepted frame in bytes; larger ones get MURMUR_FRAME_TOO_LARGE. Default 64 KiB. */
  maxFrameBytes?: number;
  /** How many existing peers a newcomer is told about. Default 16 (the mesh finds the rest). */
  sampleSize?: number;
  /** WebSocket ping period in ms; a socket that misses one pong is dropped. Default 30,000. */
  pingIntervalMs?: number;
  /** Handles HTTP requests other than /healthz and the upgrade (e.g. a demo's static files). */
  onRequest?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Structured log sink; one JSON-able record per event. Default: JSON lines on stdout. */
  log?: (record: LogRecord) => void;
}

export interface LogRecord {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export interface SignalingServer {
  /** The WebSocket URL clients connect to, e.g. ws://127.0.0.1:8787/signal. */
  readonly url: string;
  readonly port: number;
  readonly http: Server;
  /** Live counts, as /healthz reports them. */
  stats(): { rooms: number; peers: number; connections: number };
  /** Stop accepting, close every socket, resolve when the port is free. */
  close(): Promise<void>;
}

const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  sampleSize: 16,
  pingIntervalMs: 30_000,
} as const;

export const SIGNAL_PATH = '/signal';

interface Connection {
  socket: WebSocket;
  /** room → the peer id this connection holds there. */
  rooms: Map<string, string>;
  alive: boolean;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MurmurError(ErrorCode.BAD_CONFIG, `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

function defaultLog(record: LogRecord): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
}

export async function createSignalingServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const config = { ...DEFAULTS, ...options };
  checkInteger('port', config.port, 0, 65535);
  checkInteger('maxFrameBytes', config.maxFrameBytes, 256, 16 * 1024 * 1024);
  checkInteger('sampleSize', config.sampleSize, 1, 1000);
  checkInteger('pingIntervalMs', config.pingIntervalMs, 100, 3_600_000);
  if (typeof config.host !== 'string' || config.host === '') {
    throw new MurmurError(ErrorCode.BAD_CONFIG, `host must be a non-empty string, got ${String(config.host)}`);
  }
  const log = options.log ?? defaultLog;
  const table = new RoomTable<Connection>();
  const connections = new Set<Connection>();

  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const body = JSON.stringify({ status: 'ok', ...stats() });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (options.onRequest) {
      options.onRequest(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });

  // ws's own maxPayload is a hard stop well above our limit, so an oversized
  // frame normally gets a typed error reply instead of a bare close.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(config.maxFrameBytes * 4, 1024 * 1024) });

  http.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== SIGNAL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const stats = () => ({ rooms: table.roomCount, peers: table.peerCount, connections: connections.size });

  const send = (conn: Connection, message: ServerMessage): void => {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(encodeMessage(message));
  };

  const reject = (conn: Connection, code: ErrorCode, message: string, ref?: string): void => {
    send(conn, ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref });
  };

  const leaveRoom = (conn: Connection, room: string): void => {
    const peer = conn.rooms.get(room);
    if (peer === undefined) return;
    conn.rooms.delete(room);
    if (!table.leave(room, peer, conn)) return;
    for (const [, other] of table.others(room, peer)) send(other, { type: 'peer-left', room, peer });
  };

  const onFrame = (conn: Connection, data: RawData, isBinary: boolean): void => {
    const raw = isBinary ? new Uint8Array(0) : data.toString();
    const parsed = parseClientMessage(raw, isBinary, config.maxFrameBytes);
    if (!parsed.ok) {
      reject(conn, parsed.code, parsed.message, parsed.ref);
      return;
    }
    const message = parsed.value;
    switch (message.type) {
      case 'join': {
        const current = conn.rooms.get(message.room);
        if (current !== undefined && current !== message.peer) leaveRoom(conn, message.room);
        if (!table.join(message.room, message.peer, conn)) {
          reject(conn, ErrorCode.PEER_ID_TAKEN, `peer id '${message.peer}' is already in room '${message.room}'`, 'join');
          return;
        }
        const isNew = current !== message.peer;
        conn.rooms.set(message.room, message.peer);
        const peers = table.sample(message.room, message.peer, config.sampleSize, Math.random);
        send(conn, { type: 'joined', room: message.room, peer: message.peer, peers });
        if (isNew) {
          for (const [, other] of table.others(message.room, message.peer)) {
            send(other, { type: 'peer-joined', room: message.room, peer: message.peer });
          }
        }
        return;
      }
      case 'leave':
        if (!conn.rooms.has(message.room)) {
          reject(conn, ErrorCode.NOT_IN_ROOM, `not in room '${message.room}'`, 'leave');
          return;
        }
        leaveRoom(conn, message.room);
        return;
      case 'signal': {
        const from = conn.rooms.get(message.room);
        if (from === undefined) {
          reject(conn, ErrorCode.NOT_IN_ROOM, `join room '${message.room}' before signaling in it`, 'signal');
          return;
        }
        const target = table.lookup(message.room, message.to);
        if (target === undefined) {
          reject(conn, ErrorCode.UNKNOWN_TARGET, `no peer '${message.to}' in room '${message.room}'`, 'signal');
          return;
        }
        send(target, { type: 'signal', room: message.room, from, data: message.data });
        return;
      }
    }
  };

  wss.on('connection', (socket: WebSocket) => {
    const conn: Connection = { socket, rooms: new Map(), alive: true };
    connections.add(conn);
    socket.on('pong', () => {
      conn.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      try {
        onFrame(conn, data, isBinary);
      } catch (error) {
        // A bug here must cost one frame, not the process.
        log({ level: 'error', msg: 'frame handler failed', error: String(error) });
      }
    });
    socket.on('error', (error) => log({ level: 'warn', msg: 'socket error', error: error.message }));
    socket.on('close', () => {
      connections.delete(conn);
      for (const room of [...conn.rooms.keys()]) leaveRoom(conn, room);
    });
  });

  const pinger = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }, config.pingIntervalMs);
  pinger.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `ws://${hostForUrl}:${port}${SIGNAL_PATH}`;
  log({ level: 'info', msg: 'listening', url });

  return {
    url,
    port,
    http,
    stats,
    close: async () => {
      clearInterval(pinger);
      for (const conn of connections) conn.socket.close(1001, 'server shutting down');
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
