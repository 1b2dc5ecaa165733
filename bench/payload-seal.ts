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
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';
import { measurePayloadSeal } from './payload-seal-ops.js';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '200' }, chromium: { type: 'boolean', default: false } } });
const samples = Number(values.samples);
if (!Number.isInteger(samples) || samples < 1) throw new Error(`--samples must be a positive integer, got ${values.samples}`);

if (!values.chromium) {
  console.log(`node ${process.version}`);
  await measurePayloadSeal(samples, (line) => console.log(line));
} else {
  const bundle = await build({
    stdin: { contents: `import { measurePayloadSeal } from './bench/payload-seal-ops.ts'; globalThis.measurePayloadSeal = measurePayloadSeal;`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
  });
  const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(message.text()));
    await page.goto('about:blank');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    console.log(`chromium ${browser.version()}`);
    await page.evaluate(`measurePayloadSeal(${samples}, (line) => console.log(line))`);
  } finally {
    await browser.close();
  }
}
