/**
 * What one Ed25519 signature costs where murmur runs (docs/TRUST-ENGINE.md):
 * pure-JS @noble/curves against native WebCrypto, in this Node process or
 * in Chromium.
 *
 *   npx tsx bench/ed25519.ts [--rounds 200] [--chromium]
 *
 * Prints min / median / max µs per operation over `rounds` samples (each
 * the mean of 20 operations in a row, after 20 warm-up operations).
 */
import { measureEd25519 } from './ed25519-ops.js';
import { runMicroBench } from './micro-runner.js';

await runMicroBench({ countFlag: 'rounds', countDefault: 200, module: 'bench/ed25519-ops.ts', exportName: 'measureEd25519', measure: measureEd25519 });
