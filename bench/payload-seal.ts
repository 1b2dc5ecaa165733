/**
 * The cost of end-to-end payload encryption in rooms with a password
 * (client/src/payload-seal.ts, XChaCha20-Poly1305 from @noble/ciphers):
 * µs per seal and open of a 100-byte and a 10 KiB app payload and of a
 * 100-byte and a 4 KiB presence, the bytes each adds, and the key's one-time
 * derivation, in this Node process or in Chromium.
 *
 *   npx tsx bench/payload-seal.ts [--samples 200] [--chromium]
 *
 * Each figure is min / median / max of `samples` per-op means, each over a
 * batch of ops (one op is below the timer's resolution in Chromium).
 */
import { measurePayloadSeal } from './payload-seal-ops.js';
import { runMicroBench } from './micro-runner.js';

await runMicroBench({ countFlag: 'samples', countDefault: 200, module: 'bench/payload-seal-ops.ts', exportName: 'measurePayloadSeal', measure: measurePayloadSeal });
