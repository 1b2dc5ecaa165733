#!/usr/bin/env node
// Builds the browser bundles into dist/:
//   dist/murmur.js  the public API as one self-contained ES module (simple-peer,
//                   lib0 and the Node polyfills it needs are bundled in);
//   dist/murmur-components.js  the lit elements (<murmur-cursors>, <murmur-avatars>,
//                   <murmur-inspector>), registered on import; lit is bundled in,
//                   the murmur client is not (elements only read the Room handed to them);
//   dist/demo.js    the demo app, which imports '/dist/murmur.js' and
//                   '/dist/murmur-components.js' at run time exactly as a user's
//                   plain page would.
import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const browser = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  minify: true,
  legalComments: 'none',
  define: { global: 'globalThis', 'process.env.NODE_DEBUG': 'false' },
  logLevel: 'warning',
};

/** The demo must use the published bundles, not a second copy of the library. */
const useDistBundle = {
  name: 'use-dist-bundle',
  setup(b) {
    b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: '/dist/murmur.js', external: true }));
    b.onResolve({ filter: /\/src\/components\/index\.js$/ }, () => ({ path: '/dist/murmur-components.js', external: true }));
  },
};

/**
 * The components bundle must not carry a second murmur client: any runtime
 * import of the client's entry becomes an import of '/dist/murmur.js'.
 * (Today the elements import only types from it, which esbuild erases.)
 */
const clientFromDist = {
  name: 'client-from-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: '/dist/murmur.js', external: true }));
  },
};

export const BUNDLES = ['murmur.js', 'murmur-components.js', 'demo.js'];

export async function buildAll() {
  await mkdir(dist, { recursive: true });
  await build({
    ...browser,
    entryPoints: [join(root, 'client/src/index.ts')],
    outfile: join(dist, 'murmur.js'),
    inject: [join(root, 'client/build/node-globals.js')],
  });
  await build({
    ...browser,
    entryPoints: [join(root, 'client/src/components/index.ts')],
    outfile: join(dist, 'murmur-components.js'),
    plugins: [clientFromDist],
  });
  await build({
    ...browser,
    entryPoints: [join(root, 'client/demo/demo-app.ts')],
    outfile: join(dist, 'demo.js'),
    plugins: [useDistBundle],
  });
  // Node entry points, for `murmur/node` and `murmur/signaling-server` users
  // who run plain JavaScript; dependencies stay external.
  const node = { bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' };
  await build({ ...node, entryPoints: [join(root, 'client/src/node.ts')], outfile: join(dist, 'node.js') });
  await build({ ...node, entryPoints: [join(root, 'signaling-server/src/index.ts')], outfile: join(dist, 'signaling-server.js') });
  await build({ ...node, entryPoints: [join(root, 'e2e/kit/index.ts')], outfile: join(dist, 'playwright.js') });
  // murmur/automerge: ESM for browsers and Node alike; automerge-repo stays the app's own copy.
  await build({ ...node, platform: 'neutral', entryPoints: [join(root, 'client/src/automerge/index.ts')], outfile: join(dist, 'automerge.js') });
  for (const page of ['index.html', 'harness.html', 'awareness.html', 'add-cursors.html']) {
    await copyFile(join(root, 'client/demo', page), join(dist, page));
  }
  const sizes = {};
  for (const file of BUNDLES) {
    const bytes = await readFile(join(dist, file));
    sizes[file] = { raw: (await stat(join(dist, file))).size, gzip: gzipSync(bytes).length };
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildAll();
  for (const [file, { raw, gzip }] of Object.entries(sizes)) {
    console.log(`dist/${file}  ${(raw / 1024).toFixed(1)} KiB  (${(gzip / 1024).toFixed(1)} KiB gzip)`);
  }
  const core = sizes['murmur.js'];
  const elements = sizes['murmur-components.js'];
  console.log(
    `client with components: ${((core.raw + elements.raw) / 1024).toFixed(1)} KiB  (${((core.gzip + elements.gzip) / 1024).toFixed(1)} KiB gzip)`,
  );
}
