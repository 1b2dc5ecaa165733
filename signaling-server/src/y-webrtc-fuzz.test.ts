/**
 * Fuzz /y-webrtc: connections send seeded random and malformed frames (not
 * JSON — the frame that kills y-webrtc's own server —, wrong types, huge,
 * binary, unknown types, subscribe storms, publishes to strangers' topics,
 * a rate flood) while two well-behaved subscribers keep publishing to each
 * other. Then: the process serves /y-webrtc and /signal, every server frame
 * was a JSON object, and the fuzzers' topics are gone.
 *
 * Prints the frames sent and what the server made of them.
 * Replay a failure with MURMUR_FUZZ_SEED=<seed printed on failure>.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng, type Prng } from '../../shared/src/prng.js';
import { CLOSE_CODES } from './admission.js';
import { flood, openFuzzSocket, type FuzzObserved } from './fuzz-socket.js';
import { createSignalingServer, type SignalingServer } from './server.js';
import { connectTestClient } from './test-client.js';
import { connectYWebrtcClient, yWebrtcUrl, type YWebrtcTestClient } from './y-webrtc-test-client.js';

const SEED = Number(process.env.MURMUR_FUZZ_SEED ?? 20261202);
const FUZZ_CONNECTIONS = 20;
const FRAMES_PER_CONNECTION = 200;
const MAX_FRAME = 16 * 1024;
const MAX_PAYLOAD = 64 * 1024;

/** Tight frame limits so oversize frames are cheap to make; a rate limit the fuzzers stay under, except the flooder. */
const LIMITS = { maxFrameBytes: MAX_FRAME, maxPayloadBytes: MAX_PAYLOAD, rateLimit: 2000, rateBurst: 500, rateLimitCloseAfter: 300 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TOPICS = ['t0', 't1', 'good', '', 'x'.repeat(300), '__proto__', 'constructor'];

function randomText(prng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(prng.int(0x3000));
  return out;
}

function randomFrame(prng: Prng): string | Uint8Array {
  const topic = prng.pick(TOPICS) ?? 't0';
  switch (prng.int(14)) {
    case 0:
      return randomText(prng, prng.int(200)); // not JSON
    case 1:
      return JSON.stringify({ type: 'subscribe', topics: [topic] }).slice(0, prng.int(25)); // truncated
    case 2:
      return JSON.stringify(prng.pick([null, 42, 'publish', [1, 2], true, {}]));
    case 3:
      return JSON.stringify({ type: 'subscribe', topics: prng.pick([topic, 7, null, {}, [1, null], Array(100).fill('t')]) });
    case 4:
      return JSON.stringify({ type: prng.pick(['Publish', '', 'pong', 'announce', 'toString', '__proto__']), topic });
    case 5:
      return Uint8Array.from({ length: prng.int(512) }, () => prng.int(256)); // binary
    case 6:
      return JSON.stringify({ type: 'publish', topic, data: { pad: 'y'.repeat(MAX_FRAME + prng.int(1000)) } }); // too large
    case 7:
      return `${'['.repeat(5000)}${']'.repeat(5000)}`; // deep nesting
    case 8:
      return JSON.stringify({ type: 'publish', topic: prng.pick([topic, 5, null]), data: prng.pick([undefined, null, 'x', [1]]) });
    case 9:
    case 10:
      return JSON.stringify({ type: 'subscribe', topics: [topic, `t${prng.int(20)}`] });
    case 11:
      return JSON.stringify({ type: 'unsubscribe', topics: [topic] });
    case 12:
      return JSON.stringify({ type: 'publish', topic, data: { type: 'announce', from: prng.hex(4) } });
    default:
      return JSON.stringify({ type: 'ping' });
  }
}

interface Observed extends FuzzObserved {
  sent: number;
}

function isJsonObject(text: string): boolean {
  try {
    const frame = JSON.parse(text) as unknown;
    return typeof frame === 'object' && frame !== null && !Array.isArray(frame);
  } catch {
    return false;
  }
}

const open = (url: string, observed: Observed) => openFuzzSocket(url, observed, isJsonObject);

async function fuzzer(url: string, prng: Prng, observed: Observed): Promise<void> {
  let socket = await open(url, observed);
  for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
    if (socket.readyState !== WebSocket.OPEN) socket = await open(url, observed);
    socket.send(prng.int(50) === 0 ? 'z'.repeat(MAX_PAYLOAD + 1) : randomFrame(prng)); // over the hard cap: 1009
    observed.sent += 1;
    if (i % 10 === 9) await sleep(prng.int(10));
  }
  await sleep(50);
  socket.close();
}

async function flooder(url: string, observed: Observed): Promise<void> {
  observed.sent += await flood(await open(url, observed), '{"type":"ping"}', 2000);
}

/** Subscribed to 'good-pair' once the server has handled the subscribe. */
async function goodSubscriber(url: string): Promise<YWebrtcTestClient> {
  const c = await connectYWebrtcClient(url);
  c.send({ type: 'subscribe', topics: ['good-pair'] });
  c.send({ type: 'ping' });
  await c.next((f) => f.type === 'pong');
  return c;
}

describe(`/y-webrtc fuzz (seed ${SEED})`, () => {
  let server: SignalingServer;
  let url: string;
  const good: YWebrtcTestClient[] = [];

  beforeAll(async () => {
    server = await createSignalingServer({ port: 0, log: () => {}, requirePeerKeys: false, ...LIMITS });
    url = yWebrtcUrl(server.url);
    good.push(...(await Promise.all([goodSubscriber(url), goodSubscriber(url)])));
  });

  afterAll(() => Promise.all([...good.map((c) => c.close()), server.close()]));

  it('survives every frame, answers only JSON objects, and keeps serving', async () => {
    const observed: Observed = { sent: 0, serverFrames: 0, badServerFrames: [], closeCodes: [] };
    let fuzzing = true;
    let rounds = 0;
    const goodLoop = (async () => {
      while (fuzzing || rounds < 5) {
        const [from, to] = rounds % 2 === 0 ? [good[0], good[1]] : [good[1], good[0]];
        from?.send({ type: 'publish', topic: 'good-pair', data: { round: rounds } });
        await to?.next((f) => (f.data as { round?: number } | undefined)?.round === rounds, 5000);
        await from?.next((f) => (f.data as { round?: number } | undefined)?.round === rounds, 5000);
        rounds += 1;
        await sleep(5);
      }
    })();
    const runs = Array.from({ length: FUZZ_CONNECTIONS }, (_, i) => fuzzer(url, createPrng(SEED + i + 1), observed));
    runs.push(flooder(url, observed));
    await Promise.all(runs);
    fuzzing = false;
    await goodLoop;

    try {
      expect(observed.badServerFrames).toEqual([]);
      const allowed = new Set<number>([1000, 1005, 1006, 1009, CLOSE_CODES.RATE_LIMITED]);
      expect(observed.closeCodes.filter((c) => !allowed.has(c))).toEqual([]);
      expect(observed.closeCodes).toContain(1009);
      expect(observed.closeCodes).toContain(CLOSE_CODES.RATE_LIMITED);
      expect(rounds).toBeGreaterThan(20);
      const health = await fetch(server.url.replace('ws://', 'http://').replace('/signal', '/healthz'));
      expect(health.status).toBe(200);
      // murmur's own protocol on the same port still serves.
      const murmur = await connectTestClient(server.url);
      murmur.send({ type: 'join', room: 'after-fuzz', peer: 'p1' });
      expect(await murmur.next((m) => m.type === 'joined')).toMatchObject({ room: 'after-fuzz' });
      murmur.close();
      const topicsLine = () => server.metrics().split('\n').find((l) => l.startsWith('murmur_signal_ywebrtc_topics '));
      await expect.poll(topicsLine, { timeout: 5000 }).toBe('murmur_signal_ywebrtc_topics 1');
      const rejected = server
        .metrics()
        .split('\n')
        .filter((l) => l.startsWith('murmur_signal_ywebrtc_frames_rejected_total'));
      expect(rejected.join('\n')).toMatch(/reason="bad_json"\} [1-9]/);
      console.log(
        `/y-webrtc fuzz: ${observed.sent} frames sent on ${FUZZ_CONNECTIONS + 1} connections, ${observed.serverFrames} server frames back, ` +
          `${observed.closeCodes.length} closes by the server, ${rounds} good publish round trips during the run; still serving.\n  ${rejected.join('\n  ')}`,
      );
    } catch (error) {
      console.error(`fuzz failed; replay with MURMUR_FUZZ_SEED=${SEED}`);
      throw error;
    }
  }, 60_000);
});
