/**
 * The CPU cost of binding links to identities (client/src/link-auth.ts) and
 * of signing mesh-relayed signals (client/src/mesh-signal.ts), per
 * operation (pure-JS @noble/curves), in this Node process or in Chromium.
 *
 *   npx tsx bench/link-auth.ts [--rounds 500] [--chromium]
 *
 * Prints min / median / max µs per operation over `rounds` samples (each
 * the mean of 20 operations in a row; after 50 warm-up operations), and the
 * bytes each adds.
 */
import { measureLinkAuth } from './link-auth-ops.js';
import { runMicroBench } from './micro-runner.js';

await runMicroBench({ countFlag: 'rounds', countDefault: 500, module: 'bench/link-auth-ops.ts', exportName: 'measureLinkAuth', measure: measureLinkAuth });
