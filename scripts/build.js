#!/usr/bin/env node
// Builds dist/. Two kinds of output live there:
//
// What the package ships (package.json "files"), one compiled ES module per
// entry point, with declarations from tsc under dist/types/:
//   dist/index.js            `murmur-mesh`: the browser/bundler client. yjs,
//                            y-protocols and lib0 stay imports, so the app's one
//                            Yjs is the one used (a second copy breaks instanceof
//                            across peers and every y-* binding);
//   dist/node.js             `murmur-mesh/node` (all dependencies external);
//   dist/components.js       `murmur-mesh/components` (lit external);
//   dist/react.js            `murmur-mesh/react` (react external);
//   dist/signaling-server.js `murmur-mesh/signaling-server`;
//   dist/playwright.js       `murmur-mesh/playwright` (the test kit);
//   dist/cli.js              the `murmur-signal` binary's code;
//   dist/murmur.js           `murmur-mesh/standalone`: one self-contained module
//                            (Yjs included, exported as `Y`) for script tags and CDNs;
//   dist/murmur-components.js  the elements, self-contained (lit bundled), for the same pages;
//   dist/harness.html        the blank page the Playwright kit opens.
// A later `./automerge` entry adds one more line to LIBRARY below.
//
// The demo (dist/demo.js and its pages), which loads /dist/murmur.js and
// /dist/murmur-components.js at run time exactly as a user's plain page would.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const common = { bundle: true, format: 'esm', target: 'es2022', legalComments: 'none', logLevel: 'warning' };

/**
 * A browser bundle of the client. Links use lite-peer (client/src/lite-peer.ts),
 * simple-peer's API over the platform's RTCPeerConnection, in browsers and Node
 * alike: simple-peer's Node stream stack and polyfills were most of the
 * client's size, and its timers kept a Node process alive ~5 s after leave().
 */
const browser = { ...common, platform: 'browser' };

/** Shared runtimes the app must own: imported, never bundled. */
const SHARED_RUNTIMES = ['yjs', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*'];

/** Node entries: every dependency stays an import (installed beside the package). */
const node = { ...common, platform: 'node', target: 'node20', packages: 'external' };

/**
 * Entries layered on the client (react) import it as `murmur-mesh`, the
 * package's own name, so an app bundles one client, not one per entry.
 */
const clientAsPackage = {
  name: 'client-as-package',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: 'murmur-mesh', external: true }));
  },
};

/** The package's entry points: [source, output, esbuild options]. */
export const LIBRARY = [
  ['client/src/index.ts', 'index.js', { ...browser, external: [...SHARED_RUNTIMES, 'y-indexeddb'] }],
  ['client/src/node.ts', 'node.js', node],
  ['client/src/components/index.ts', 'components.js', { ...common, platform: 'browser', external: ['lit', 'lit/*'], plugins: [clientAsPackage] }],
  ['client/src/react/index.ts', 'react.js', { ...common, platform: 'browser', external: ['react'], plugins: [clientAsPackage] }],
  ['signaling-server/src/index.ts', 'signaling-server.js', node],
  ['e2e/kit/index.ts', 'playwright.js', node],
  ['signaling-server/src/cli.ts', 'cli.js', node],
  // murmur-mesh/automerge: ESM for browsers and Node alike; automerge-repo and the client stay the app's own copies.
  ['client/src/automerge/index.ts', 'automerge.js', { ...node, platform: 'neutral', plugins: [clientAsPackage] }],
];

/** The demo must use the published bundles, not a second copy of the library. */
const useDistBundle = {
  name: 'use-dist-bundle',
  setup(b) {
    b.onResolve({ filter: /\/src\/(index|standalone)\.js$/ }, () => ({ path: '/dist/murmur.js', external: true }));
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

export const BUNDLES = ['murmur.js', 'murmur-components.js', 'index.js', 'demo.js'];

const standalone = { ...browser, sourcemap: true, minify: true };

/** Declarations for every entry, from the sources, into dist/types/. */
function emitDeclarations() {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build: tsc could not emit the declarations');
}

export async function buildAll({ declarations = false } = {}) {
  await mkdir(dist, { recursive: true });
  const builds = [
    build({ ...standalone, entryPoints: [join(root, 'client/src/standalone.ts')], outfile: join(dist, 'murmur.js') }),
    build({
      ...standalone,
      entryPoints: [join(root, 'client/src/components/index.ts')],
      outfile: join(dist, 'murmur-components.js'),
      plugins: [clientFromDist],
    }),
    build({
      ...standalone,
      entryPoints: [join(root, 'client/demo/demo-app.ts')],
      outfile: join(dist, 'demo.js'),
      plugins: [useDistBundle],
    }),
    ...LIBRARY.map(([source, out, options]) => build({ ...options, entryPoints: [join(root, source)], outfile: join(dist, out) })),
  ];
  await Promise.all(builds);
  for (const page of ['index.html', 'harness.html', 'awareness.html', 'add-cursors.html']) {
    await copyFile(join(root, 'client/demo', page), join(dist, page));
  }
  if (declarations) {
    await rm(join(dist, 'types'), { recursive: true, force: true });
    emitDeclarations();
  }
  const sizes = {};
  for (const file of BUNDLES) {
    const bytes = await readFile(join(dist, file));
    sizes[file] = { raw: (await stat(join(dist, file))).size, gzip: gzipSync(bytes).length };
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildAll({ declarations: !process.argv.includes('--no-types') });
  for (const [file, { raw, gzip }] of Object.entries(sizes)) {
    console.log(`dist/${file}  ${(raw / 1024).toFixed(1)} KiB  (${(gzip / 1024).toFixed(1)} KiB gzip)`);
  }
}
