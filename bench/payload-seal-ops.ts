/**
 * What bench/payload-seal.ts measures, in whichever runtime loads it (Node,
 * or Chromium through an esbuild bundle): µs per seal and per open of app
 * payloads and presences (client/src/payload-seal.ts) and the bytes each adds.
 */
import { PBKDF2_ITERATIONS } from '../client/src/signal-seal.js';
import { derivePayloadKey } from '../client/src/payload-seal-key.js';
import { PAYLOAD_OVERHEAD, openPayload, openPresence, sealPayload, sealPresence } from '../client/src/payload-seal.js';

const KEY = new Uint8Array(32).fill(7);
const ADDRESS = { room: 'bench-room', from: 'a'.repeat(43), to: 'b'.repeat(43) };

/** Per-op µs of `op`, timed in batches of `batch` (timer resolution), `samples` batches after 20 warm-up batches. */
function time(samples: number, batch: number, op: () => void): { min: number; median: number; max: number } {
  const per: number[] = [];
  for (let s = -20; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) op();
    const us = ((performance.now() - t0) * 1000) / batch;
    if (s >= 0) per.push(us);
  }
  per.sort((x, y) => x - y);
  return { min: per[0]!, median: per[Math.floor(per.length / 2)]!, max: per[per.length - 1]! };
}

const fmt = (r: { min: number; median: number; max: number }): string => `min ${r.min.toFixed(1)}  median ${r.median.toFixed(1)}  max ${r.max.toFixed(1)} µs`;

/** A presence of exactly `bytes` bytes of JSON (≥ 66): a cursor in the awareness entry, padded. */
function presenceOf(bytes: number): Record<string, unknown> {
  const base = { awareness: { clientID: 123456789, state: { cursor: [412, 1033] } }, pad: '' };
  return { ...base, pad: 'x'.repeat(bytes - JSON.stringify(base).length) };
}

export async function measurePayloadSeal(samples: number, print: (line: string) => void): Promise<void> {
  const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
  for (const [name, size, batch] of [
    ['100-byte payload (a cursor-sized app message)', 100, 200],
    ['10 KiB payload (a doc update)', 10 * 1024, 10],
  ] as const) {
    const frame = random(size);
    const sealed = sealPayload(KEY, ADDRESS, frame);
    print(`${name}: +${sealed.length - size} bytes (${PAYLOAD_OVERHEAD} = 1 channel + 24 nonce + 16 tag)`);
    print(`  seal  ${fmt(time(samples, batch, () => sealPayload(KEY, ADDRESS, frame)))}`);
    print(`  open  ${fmt(time(samples, batch, () => openPayload(KEY, ADDRESS, sealed)))}`);
  }
  for (const [name, size, batch] of [
    ['100-byte presence (a cursor update)', 100, 200],
    ['4,096-byte presence (the limit)', 4096, 20],
  ] as const) {
    const presence = presenceOf(size) as never;
    const json = JSON.stringify(presence).length;
    const sealed = sealPresence(KEY, ADDRESS.room, ADDRESS.from, presence);
    print(`${name}: ${json} → ${JSON.stringify(sealed).length} bytes of JSON sealed`);
    print(`  seal  ${fmt(time(samples, batch, () => sealPresence(KEY, ADDRESS.room, ADDRESS.from, presence)))}`);
    print(`  open  ${fmt(time(samples, batch, () => openPresence(KEY, ADDRESS.room, ADDRESS.from, sealed)))}`);
  }
  if (globalThis.crypto?.subtle === undefined) {
    print('derivePayloadKey: not measured (no crypto.subtle on this page)');
    return;
  }
  const derive: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await derivePayloadKey('correct horse battery staple', 'bench-room', PBKDF2_ITERATIONS);
    derive.push(performance.now() - t0);
  }
  derive.sort((x, y) => x - y);
  print(`derivePayloadKey (PBKDF2 ${PBKDF2_ITERATIONS} + HKDF), once per join: min ${derive[0]!.toFixed(1)}  median ${derive[2]!.toFixed(1)}  max ${derive[4]!.toFixed(1)} ms`);
}
