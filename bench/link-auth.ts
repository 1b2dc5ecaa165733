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
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';
import { measureLinkAuth } from './link-auth-ops.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '500' }, chromium: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);

if (!values.chromium) {
  console.log(`node ${process.version}`);
  await measureLinkAuth(rounds, (line) => console.log(line));
} else {
  const bundle = await build({
    stdin: { contents: `import { measureLinkAuth } from './bench/link-auth-ops.ts'; globalThis.measureLinkAuth = measureLinkAuth;`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
  });
  const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(message.text()));
    // A secure context for crypto.getRandomValues and subtle.
    await page.goto('about:blank');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    console.log(`chromium ${browser.version()}`);
    await page.evaluate(`measureLinkAuth(${rounds}, (line) => console.log(line))`);
  } finally {
    await browser.close();
  }
}
