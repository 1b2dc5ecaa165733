/**
 * Builds the interop specs' pages into dist/interop/ with esbuild (the kit's
 * server serves dist/), each a blank HTML page loading one bundle.
 */
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../kit/signaling.js';

const html = (script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><link rel="icon" href="data:," /><title>murmur interop</title>
<script type="module" src="/dist/interop/${script}"></script></head><body><pre id="doc"></pre></body></html>
`;

/** Bundle `entry` (relative to the package root) as dist/interop/<name>.js and write dist/interop/<name>.html; returns the page path. */
export async function buildInteropPage(name: string, entry: string): Promise<string> {
  const out = join(packageRoot, 'dist', 'interop');
  await mkdir(out, { recursive: true });
  await build({
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { global: 'globalThis', 'process.env.NODE_DEBUG': 'false' },
    inject: [join(packageRoot, 'client/build/node-globals.js')],
    entryPoints: [join(packageRoot, entry)],
    outfile: join(out, `${name}.js`),
    logLevel: 'warning',
  });
  await writeFile(join(out, `${name}.html`), html(`${name}.js`));
  return `interop/${name}.html`;
}
