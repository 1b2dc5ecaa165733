/**
 * Builds the benchmark's pages into dist/bench/ with esbuild: one blank HTML
 * page per system loading its agent bundle. murmur's agent imports the public
 * /dist/murmur.js at run time, as an app does; y-webrtc's bundles y-webrtc,
 * yjs and simple-peer with the same Node polyfills murmur's bundle uses.
 */
import { build, type Plugin } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(fileURLToPath(import.meta.url), '..', '..');
export const PAGES = { murmur: 'bench/murmur.html', ywebrtc: 'bench/ywebrtc.html', floor: 'bench/floor.html' } as const;

const useDistBundle: Plugin = {
  name: 'use-dist-bundle',
  setup(b) {
    b.onResolve({ filter: /\/client\/src\/index\.js$/ }, () => ({ path: '/dist/murmur.js', external: true }));
  },
};

const page = (script: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>murmur bench</title>
<script type="module" src="/dist/bench/${script}"></script></head><body></body></html>
`;

export async function buildBenchPages(): Promise<void> {
  const out = join(root, 'dist', 'bench');
  await mkdir(out, { recursive: true });
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { global: 'globalThis', 'process.env.NODE_DEBUG': 'false' },
    logLevel: 'warning',
  } as const;
  await build({ ...common, entryPoints: [join(root, 'bench/browser-agent-murmur.ts')], outfile: join(out, 'murmur-agent.js'), plugins: [useDistBundle] });
  await build({
    ...common,
    entryPoints: [join(root, 'bench/browser-agent-ywebrtc.ts')],
    outfile: join(out, 'ywebrtc-agent.js'),
    inject: [join(root, 'client/build/node-globals.js')],
  });
  await build({ ...common, entryPoints: [join(root, 'bench/browser-agent-floor.ts')], outfile: join(out, 'floor-agent.js') });
  await writeFile(join(root, 'dist', PAGES.murmur), page('murmur-agent.js'));
  await writeFile(join(root, 'dist', PAGES.ywebrtc), page('ywebrtc-agent.js'));
  await writeFile(join(root, 'dist', PAGES.floor), page('floor-agent.js'));
}
