/**
 * Load generator for bench/signal.ts, run as a forked child so the server
 * under test and the clients never share a process (10,000 sockets each
 * side would not fit one process's file descriptors, and would share a CPU).
 *
 * Each connection i has its own Ed25519 key and the peer id it derives (as a
 * real client: the server checks the signed join), in room `r<floor(i / roomSize)>`. Rooms never span
 * two workers, so a message's send and receive times come from one clock.
 *
 * Protocols:
 * - murmur: join, then `signal` addressed to one peer; the server relays it
 *   to that peer only.
 * - y-webrtc: subscribe to the room topic, then `publish` with `to` inside
 *   the data, as y-webrtc's own client does for WebRTC signals; the server
 *   broadcasts it to every subscriber and the addressee picks it out.
 *
 * Phases: `light` sends a fixed total rate (latency at a load both servers
 * carry); `saturate` keeps `window` messages in flight per connection, each
 * delivery answered by a new message (closed loop: throughput at capacity).
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { derivePeerId, joinProofMessage, parseServerMessage } from '../shared/src/signaling.js';
import { LatencyHistogram } from './signal-stats.js';

export type Protocol = 'murmur' | 'y-webrtc';

export interface LoadSetup {
  protocol: Protocol;
  url: string;
  /** Global index of this worker's first connection. */
  first: number;
  count: number;
  roomSize: number;
  /** Handshakes in flight while connecting. */
  connectConcurrency: number;
}

export type ToWorker =
  | { kind: 'setup'; setup: LoadSetup }
  | { kind: 'phase'; phase: 'light' | 'saturate'; durationMs: number; ratePerS: number; window: number }
  | { kind: 'stop' };

export interface PhaseReport {
  phase: 'light' | 'saturate';
  sent: number;
  /** Messages that reached their addressee. */
  delivered: number;
  /** Every frame the clients received, addressed to them or not (y-webrtc's broadcast copies). */
  framesIn: number;
  elapsedMs: number;
  /** Deliveries in the window plus those of messages still in flight when it closed (the drain). */
  deliveredWithDrain: number;
  /** This worker's CPU time during the phase, as % of one core. */
  cpuPct: number;
  histogram: number[];
}

export type FromWorker =
  | { kind: 'connected'; open: number; failed: number; ms: number }
  | { kind: 'phase-done'; report: PhaseReport; open: number }
  | { kind: 'error'; message: string };

interface Client {
  id: string;
  index: number;
  room: string;
  socket: WebSocket;
  /** `"to":"p12"` as it appears in a frame addressed to this client, for a cheap y-webrtc filter. */
  marker: string;
}

const send = (msg: FromWorker) => process.send?.(msg);

let clients: Client[] = [];
let setup: LoadSetup;
let phase: { name: 'light' | 'saturate'; closedLoop: boolean; report: PhaseReport; histogram: LatencyHistogram } | undefined;
/** Counts deliveries after the window closes, so server CPU over window + drain can be divided by them. */
let draining: { delivered: number } | undefined;

/** Connection index → its key and derived id. Node's native Ed25519: 10,000 keys in well under a second. */
const identities = new Map<number, { id: string; key: string; secret: KeyObject }>();
function identityOf(index: number): { id: string; key: string; secret: KeyObject } {
  let found = identities.get(index);
  if (!found) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const key = publicKey.export({ format: 'jwk' }).x as string;
    found = { id: derivePeerId(Buffer.from(key, 'base64url')), key, secret: privateKey };
    identities.set(index, found);
  }
  return found;
}

function peerOf(c: Client): string {
  // A random other member of the same room (rooms are contiguous index ranges).
  const roomStart = Math.floor(c.index / setup.roomSize) * setup.roomSize;
  const roomEnd = Math.min(roomStart + setup.roomSize, setup.first + setup.count);
  const size = roomEnd - roomStart;
  let target = roomStart + Math.floor(Math.random() * (size - 1));
  if (target >= c.index) target += 1;
  return identityOf(target).id;
}

function sendMessage(c: Client, closedLoop: boolean): void {
  if (c.socket.readyState !== WebSocket.OPEN || !phase) return;
  const to = peerOf(c);
  const t = performance.now();
  const frame =
    setup.protocol === 'murmur'
      ? `{"type":"signal","room":"${c.room}","to":"${to}","data":{"t":${t},"c":${closedLoop ? 1 : 0},"sdp":"v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1"}}`
      : `{"type":"publish","topic":"${c.room}","data":{"type":"signal","from":"${c.id}","to":"${to}","t":${t},"c":${closedLoop ? 1 : 0},"sdp":"v=0 o=- 4611731400430051336 2 IN IP4 127.0.0.1"}}`;
  c.socket.send(frame);
  phase.report.sent += 1;
}

function onFrame(c: Client, text: string): void {
  if (!phase) {
    if (draining && (setup.protocol === 'murmur' || text.includes(c.marker))) draining.delivered += 1;
    return;
  }
  phase.report.framesIn += 1;
  if (setup.protocol === 'y-webrtc' && !text.includes(c.marker)) return;
  let data: { t?: number; c?: number; to?: string };
  try {
    const frame = JSON.parse(text) as { type?: string; data?: { t?: number; c?: number; to?: string } };
    if (frame.type !== 'signal' && frame.type !== 'publish') return;
    data = frame.data ?? {};
  } catch {
    return;
  }
  if (setup.protocol === 'y-webrtc' && data.to !== c.id) return;
  if (typeof data.t !== 'number') return;
  phase.report.delivered += 1;
  phase.histogram.record(performance.now() - data.t);
  if (data.c === 1 && phase.closedLoop) sendMessage(c, true);
}

async function connectOne(index: number): Promise<Client | undefined> {
  const me = identityOf(index);
  const id = me.id;
  const room = `r${Math.floor(index / setup.roomSize)}`;
  const socket = new WebSocket(setup.url, { perMessageDeflate: false });
  const client: Client = { id, index, room, socket, marker: `"to":"${id}"` };
  // Listening before 'open': the server's challenge can arrive in the same read as the upgrade.
  let joined: () => void = () => {};
  const isJoined = new Promise<void>((resolve) => (joined = resolve));
  const onFirstFrames = (data: WebSocket.RawData) => {
    const parsed = parseServerMessage(data.toString());
    if (parsed.ok && parsed.value.type === 'challenge') {
      const sig = sign(null, joinProofMessage(parsed.value.nonce, room, id), me.secret).toString('base64url');
      socket.send(JSON.stringify({ type: 'join', room, peer: id, key: me.key, sig }));
      return;
    }
    socket.off('message', onFirstFrames);
    joined();
  };
  if (setup.protocol === 'murmur') socket.on('message', onFirstFrames);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), 30_000);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch {
    socket.terminate();
    return undefined;
  }
  socket.on('error', () => {});
  if (setup.protocol === 'murmur') {
    // The server's first frame is the challenge; the join goes out signed over it, as the
    // client library does. Wait for `joined` so the room is complete before any message flies.
    await isJoined;
  } else {
    socket.send(JSON.stringify({ type: 'subscribe', topics: [room] }));
  }
  socket.on('message', (data) => onFrame(client, data.toString()));
  return client;
}

async function connectAll(): Promise<void> {
  const started = performance.now();
  let next = setup.first;
  const end = setup.first + setup.count;
  let failed = 0;
  const opened: Client[] = [];
  const lane = async () => {
    while (next < end) {
      const index = next++;
      const c = await connectOne(index);
      if (c) opened.push(c);
      else failed += 1;
    }
  };
  await Promise.all(Array.from({ length: setup.connectConcurrency }, lane));
  clients = opened.sort((a, b) => a.index - b.index);
  // y-webrtc has no subscribe ack: give the server a moment to process the last subscriptions.
  await new Promise((r) => setTimeout(r, 500));
  send({ kind: 'connected', open: clients.length, failed, ms: Math.round(performance.now() - started) });
}

async function runPhase(name: 'light' | 'saturate', durationMs: number, ratePerS: number, window: number): Promise<void> {
  const histogram = new LatencyHistogram();
  const report: PhaseReport = { phase: name, sent: 0, delivered: 0, deliveredWithDrain: 0, framesIn: 0, elapsedMs: 0, cpuPct: 0, histogram: [] };
  const cpuBefore = process.cpuUsage();
  phase = { name, closedLoop: name === 'saturate', report, histogram };
  const started = performance.now();
  if (name === 'saturate') {
    for (let w = 0; w < window; w++) for (const c of clients) sendMessage(c, true);
    await new Promise((r) => setTimeout(r, durationMs));
  } else {
    const tickMs = 10;
    let owed = 0;
    const timer = setInterval(() => {
      owed += (ratePerS * tickMs) / 1000;
      for (; owed >= 1; owed -= 1) {
        const c = clients[Math.floor(Math.random() * clients.length)];
        if (c) sendMessage(c, false);
      }
    }, tickMs);
    await new Promise((r) => setTimeout(r, durationMs));
    clearInterval(timer);
  }
  report.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  report.cpuPct = Math.round((cpu.user + cpu.system) / 10 / report.elapsedMs);
  // Count only what arrived inside the window; stragglers of the closed loop are dropped.
  const snapshot: PhaseReport = { ...report, histogram: histogram.toArray() };
  phase = undefined;
  // Let in-flight frames drain before the next phase so phases do not overlap.
  draining = { delivered: 0 };
  await new Promise((r) => setTimeout(r, 1000));
  snapshot.deliveredWithDrain = snapshot.delivered + draining.delivered;
  draining = undefined;
  const open = clients.filter((c) => c.socket.readyState === WebSocket.OPEN).length;
  send({ kind: 'phase-done', report: snapshot, open });
}

process.on('message', (message: ToWorker) => {
  const run = async () => {
    if (message.kind === 'setup') {
      setup = message.setup;
      await connectAll();
    } else if (message.kind === 'phase') {
      await runPhase(message.phase, message.durationMs, message.ratePerS, message.window);
    } else {
      for (const c of clients) c.socket.terminate();
      process.exit(0);
    }
  };
  run().catch((error: unknown) => send({ kind: 'error', message: String(error) }));
});
