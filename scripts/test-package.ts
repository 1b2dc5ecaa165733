/**
 * `npm run test:package`: what `npm pack` produces is the product, so test
 * that. Packs the tarball, installs it from a file: dependency into the
 * scratch apps of scripts/test-package-apps/ (copied outside the repository,
 * so nothing resolves from murmur's own node_modules; everything else comes
 * from the npm registry, with npm's cache), then builds and runs each app and
 * checks what a user would see. Prints one line per check and a summary.
 *
 * MURMUR_PACKAGE_SCRATCH: where the apps go (default: $TMPDIR/murmur-test-package-<hash
 * of this checkout's path>, so two checkouts never share one; their node_modules
 * are kept between runs, so a rerun installs only the tarball).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';
import { listeningUrl } from '../signaling-server/src/listening-url.js';
import { createSignalingServer } from '../signaling-server/src/server.js';
import { serveStatic } from '../signaling-server/src/static-files.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const templates = join(root, 'scripts', 'test-package-apps');
const checkout = createHash('sha256').update(root).digest('hex').slice(0, 10);
const scratch = process.env.MURMUR_PACKAGE_SCRATCH ?? join(tmpdir(), `murmur-test-package-${checkout}`);
const APPS = ['vite-app', 'react-app', 'ts-node16', 'plain-node', 'playwright-kit'] as const;
type App = (typeof APPS)[number];

interface Outcome {
  check: string;
  ok: boolean;
  detail: string;
}
const outcomes: Outcome[] = [];
const started = Date.now();

function report(check: string, ok: boolean, detail: string): void {
  outcomes.push({ check, ok, detail });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}: ${detail}`);
}

/** Run a check; a throw is a failure with its message, and the next check still runs. */
async function check(name: string, body: () => Promise<string>): Promise<void> {
  try {
    report(name, true, await body());
  } catch (error) {
    report(name, false, (error as Error).message.slice(0, 4000));
  }
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[], cwd: string, options: { env?: Record<string, string>; timeoutMs?: number; allowFail?: boolean } = {}): Promise<Ran> {
  const begun = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const ran = { code, stdout, stderr, ms: Date.now() - begun };
      if (code !== 0 && !options.allowFail) reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${code}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
      else resolve(ran);
    });
  });
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

// ---- 1. the tarball --------------------------------------------------------

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string }>;
}

async function pack(): Promise<string> {
  await mkdir(scratch, { recursive: true });
  // npm pack runs `prepare`, which builds dist/ and the declarations.
  const ran = await run('npm', ['pack', '--json', '--pack-destination', scratch], root);
  const [packed] = JSON.parse(ran.stdout.slice(ran.stdout.indexOf('['))) as Packed[];
  if (!packed) throw new Error('npm pack printed no package');
  const files = packed.files.map((f) => f.path);
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  await check('tarball: contents', async () => {
    const stray = files.filter((f) => /\.test\.|\.spec\.|^bench\/|^e2e\/|^scripts\/|tsconfig|eslint|vitest|playwright\.config/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
    if (stray.length > 0) throw new Error(`ships files a user does not need: ${stray.join(', ')}`);
    for (const needed of ['LICENSE', 'README.md', 'package.json']) if (!files.includes(needed)) throw new Error(`no ${needed}`);
    const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
    const missing = targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t));
    if (missing.length > 0) throw new Error(`exports point at files not in the tarball: ${missing.join(', ')}`);
    return `${packed.filename}: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} unpacked, ${packed.entryCount} files; every export target present; no sources, tests or configs`;
  });
  await check('tarball: every import is a dependency or a peer', async () => {
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), 'murmur-mesh']);
    const undeclared = new Set<string>();
    for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
      const code = await readFile(join(root, file), 'utf8');
      // Bare specifiers of static, re-export and dynamic imports (esbuild's output spells them plainly).
      for (const match of code.matchAll(/\bfrom\s*["']([@a-z][\w@/.:-]*)["']|\bimport\s*\(?\s*["']([@a-z][\w@/.:-]*)["']/g)) {
        const specifier = match[1] ?? match[2];
        if (!specifier || specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string);
        if (!declared.has(name)) undeclared.add(`${name} (${file})`);
      }
    }
    if (undeclared.size > 0) throw new Error(`imported but neither a dependency nor a peer: ${[...undeclared].join(', ')}`);
    return `${[...declared].filter((d) => d !== 'murmur-mesh').join(', ')}`;
  });
  return join(scratch, packed.filename);
}

// ---- 2. the apps -----------------------------------------------------------

async function install(app: App, tarball: string): Promise<void> {
  const dir = join(scratch, app);
  await mkdir(dir, { recursive: true });
  // Fresh sources every run; node_modules stays as npm's cache of the rest.
  for (const entry of await readdir(dir)) if (entry !== 'node_modules') await rm(join(dir, entry), { recursive: true, force: true });
  await rm(join(dir, 'node_modules', 'murmur-mesh'), { recursive: true, force: true });
  await cp(join(templates, app), dir, { recursive: true });
  const manifestPath = join(dir, 'package.json');
  await writeFile(manifestPath, (await readFile(manifestPath, 'utf8')).replace('"TARBALL"', JSON.stringify(`file:${tarball}`)));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
}

async function gzipOfBuild(dir: string): Promise<{ raw: number; gzip: number }> {
  const assets = join(dir, 'assets');
  let raw = 0;
  let gzip = 0;
  for (const file of await readdir(assets)) {
    if (!file.endsWith('.js')) continue;
    const bytes = await readFile(join(assets, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/** What a browser app's install must not carry. */
async function installedNothingUnused(app: App, allowed: string[]): Promise<string> {
  const modules = join(scratch, app, 'node_modules');
  const present = async (name: string) => stat(join(modules, name)).then(() => true, () => false);
  const unwanted = [];
  for (const name of ['tsx', 'ioredis', '@roamhq/wrtc', '@playwright/test', 'react', '@types/ws', '@types/simple-peer', '@types/node']) {
    if (!allowed.includes(name) && (await present(name))) unwanted.push(name);
  }
  if (unwanted.length > 0) throw new Error(`the install pulled in ${unwanted.join(', ')}`);
  const types = (await readdir(join(modules, '@types')).catch(() => [] as string[])).map((t) => `@types/${t}`);
  return `no tsx, ioredis, wrtc, @types/node|ws|simple-peer; @types present: ${types.join(', ') || 'none'}`;
}

/** A scratch app's built pages, served beside a signaling server, in two browser contexts. */
async function twoTabs(browser: Browser, staticDir: string, room: string, see: (pages: Page[], signal: string, base: string) => Promise<string>): Promise<string> {
  const server = await createSignalingServer({ port: 0, host: '127.0.0.1', onRequest: serveStatic(staticDir), log: () => {} });
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const problems: string[] = [];
  try {
    const pages = await Promise.all(contexts.map((context) => context.newPage()));
    for (const page of pages) {
      page.on('console', (message) => {
        if (message.type() === 'error' || /already imported/i.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
    }
    const base = server.url.replace(/^ws/, 'http').replace(/\/signal$/, '/');
    const detail = await see(pages, server.url, `${base}?room=${room}&signal=${encodeURIComponent(server.url)}`);
    if (problems.length > 0) throw new Error(`console: ${problems.join(' | ')}`);
    return detail;
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
    await server.close();
  }
}

async function viteApp(browser: Browser): Promise<void> {
  const dir = join(scratch, 'vite-app');
  await check('vite-app: tsc --noEmit (strict, moduleResolution bundler, skipLibCheck false, no @types)', async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
    return 'clean';
  });
  await check('vite-app: install', () => installedNothingUnused('vite-app', []));
  const sizes: Record<string, { raw: number; gzip: number }> = {};
  await check('vite-app: vite build (4 pages)', async () => {
    for (const entry of ['index', 'min', 'components', 'ywebrtc']) {
      await run('npx', ['vite', 'build', '--logLevel', 'error'], dir, { env: { ENTRY: entry } });
      sizes[entry] = await gzipOfBuild(join(dir, `dist-${entry}`));
    }
    const yjsCopies = (await readFile(join(dir, 'dist-index', 'assets', (await readdir(join(dir, 'dist-index', 'assets'))).find((f) => f.endsWith('.js')) ?? ''), 'utf8')).split('Yjs was already imported').length - 1;
    if (yjsCopies !== 1) throw new Error(`the app bundle carries ${yjsCopies} copies of Yjs`);
    return 'built; the app bundle carries one Yjs';
  });
  if (sizes.min && sizes.components && sizes.ywebrtc) {
    const line = (label: string, s: { raw: number; gzip: number }) => `${label} ${kib(s.raw)} min (${kib(s.gzip)} gzip)`;
    report('sizes (vite build, minified, gzip -9, yjs included)', true, [line('joinRoom', sizes.min), line('joinRoom + components', sizes.components), line('y-webrtc + yjs', sizes.ywebrtc)].join('; '));
  }
  await check('vite-app: two tabs meet over WebRTC; one Yjs', () =>
    twoTabs(browser, join(dir, 'dist-index'), 'vite', async (pages, _signal, url) => {
      await Promise.all(pages.map((page, i) => page.goto(`${url}&name=${['ann', 'bob'][i]}`)));
      const states = await Promise.all(
        pages.map(async (page, i) => {
          const other = ['bob', 'ann'][i] as string;
          await page.waitForFunction(
            (name) => {
              const state = JSON.parse(document.body.dataset.state ?? '{}') as { peers?: string[]; nested?: Array<{ key: string; by: string | null }> };
              return state.peers?.includes(name) && state.nested?.some((n) => n.key === name && n.by === name);
            },
            other,
            { timeout: 30_000 },
          );
          return JSON.parse((await page.evaluate(() => document.body.dataset.state)) ?? '{}') as { status: string; docIsAppYDoc: boolean; nested: Array<{ isAppYMap: boolean }> };
        }),
      );
      if (!states.every((s) => s.docIsAppYDoc && s.nested.every((n) => n.isAppYMap))) throw new Error(`a Y type from the other tab is not the app's Yjs: ${JSON.stringify(states)}`);
      return `both see each other; room.doc instanceof the app's Y.Doc, the other tab's Y.Map instanceof the app's Y.Map; statuses ${states.map((s) => s.status).join(', ')}; no "Yjs was already imported"`;
    }),
  );
}

async function reactApp(browser: Browser): Promise<void> {
  const dir = join(scratch, 'react-app');
  await check('react-app: tsc --noEmit (strict, bundler, skipLibCheck false)', async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
    return 'clean';
  });
  await check('react-app: vite build', async () => {
    await run('npx', ['vite', 'build', '--logLevel', 'error'], dir);
    const size = await gzipOfBuild(join(dir, 'dist'));
    return `built, ${kib(size.gzip)} gzip with React`;
  });
  await check('react-app: hooks in two tabs (React 19, StrictMode)', () =>
    twoTabs(browser, join(dir, 'dist'), 'react', async (pages, _signal, url) => {
      const [ann, bob] = pages as [Page, Page];
      await ann.goto(`${url}&name=ann`);
      await bob.goto(`${url}&name=bob`);
      const text = (page: Page, selector: string, expected: string) =>
        page.waitForFunction(([s, e]) => document.querySelector(s as string)?.textContent === e, [selector, expected], { timeout: 30_000 });
      await text(ann, '#peers', 'bob');
      await text(bob, '#peers', 'ann');
      await text(bob, '#first', 'ann');
      await ann.waitForFunction(() => document.querySelector('main')?.dataset.status === 'connected');
      await ann.click('#rename');
      await text(ann, '#me', 'ann!');
      await text(bob, '#peers', 'ann!');
      await text(bob, '#first', 'ann!');
      await bob.click('#send');
      await text(ann, '#last', 'hi from bob');
      return 'useRoom survives StrictMode (join, leave, join); usePeers/usePeer/useStatus follow the room; usePresence updater reaches the other tab; useBroadcast delivers';
    }),
  );
}

async function tsNode16(): Promise<void> {
  const dir = join(scratch, 'ts-node16');
  await check('ts-node16: tsc (module node16, strict, skipLibCheck false, @types/node only)', async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
    await run('npx', ['tsc', '-p', 'tsconfig.init.json'], dir);
    return 'compiled; also clean with tsc --init\'s settings (nodenext, no DOM lib, skipLibCheck)';
  });
  await check('ts-node16: node build/main.js', async () => {
    const ran = await run(process.execPath, ['build/main.js'], dir, { timeoutMs: 60_000 });
    const result = JSON.parse(ran.stdout.trim().split('\n').pop() ?? '{}') as { met?: boolean; annName?: string; bobSawAnn?: boolean };
    if (!result.met || result.annName !== 'ann' || !result.bobSawAnn) throw new Error(`unexpected: ${ran.stdout}`);
    return `two Node peers met through createSignalingServer; exited ${ran.ms} ms after start`;
  });
}

async function plainNode(): Promise<void> {
  const dir = join(scratch, 'plain-node');
  const bin = join(dir, 'node_modules', '.bin', 'murmur-signal');
  await check('plain-node: murmur-signal --version, -h', async () => {
    const version = await run(bin, ['--version'], dir);
    const help = await run(bin, ['-h'], dir);
    if (!/^\d+\.\d+\.\d+/.test(version.stdout) || !help.stdout.includes('Usage: murmur-signal')) throw new Error(`${version.stdout} / ${help.stdout.slice(0, 200)}`);
    return `version ${version.stdout.trim()}; -h prints the help`;
  });
  const server = spawn(bin, ['-p', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await listeningUrl(server, 20_000);
    await check('plain-node: murmur-signal on a port in use', async () => {
      const port = new URL(url).port;
      const taken = await run(bin, ['-p', port], dir, { allowFail: true });
      const lines = taken.stderr.trim().split('\n');
      if (taken.code !== 2 || lines.length !== 1) throw new Error(`exit ${taken.code}, stderr: ${taken.stderr}`);
      return `exit 2, one line: ${lines[0]}`;
    });
    await check('plain-node: node bot.mjs (no TypeScript loader)', async () => {
      const begun = Date.now();
      let leftAt = 0;
      const child = spawn(process.execPath, ['bot.mjs', url], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (!leftAt && out.includes('left')) leftAt = Date.now();
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const exitedAt = Date.now();
      if (code !== 0) throw new Error(`exit ${code}: ${out} ${err}`);
      const result = JSON.parse(out.trim().split('\n')[0] ?? '{}') as { met?: boolean; oneYjs?: boolean; greetedName?: string; guestDoc?: unknown };
      if (!result.met || !result.oneYjs) throw new Error(`unexpected: ${out}`);
      if (result.greetedName !== 'guest') throw new Error(`'peer-join' came without the guest's presence (name ${String(result.greetedName)})`);
      const lingered = exitedAt - leftAt;
      if (lingered > 1500) throw new Error(`the process lived ${lingered} ms after leave()`);
      return `met and synced ${JSON.stringify(result.guestDoc)}; 'peer-join' carried the presence (name ${String(result.greetedName)}); ran ${exitedAt - begun} ms, exited ${lingered} ms after leave()`;
    });
  } finally {
    server.kill('SIGTERM');
  }
}

async function playwrightKit(): Promise<void> {
  const dir = join(scratch, 'playwright-kit');
  await check('playwright-kit: tsc --noEmit (node16, skipLibCheck false)', async () => {
    await run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
    return 'clean';
  });
  await check('playwright-kit: npx playwright test', async () => {
    const ran = await run('npx', ['playwright', 'test'], dir, { timeoutMs: 180_000 });
    const passed = /(\d+) passed/.exec(ran.stdout)?.[1];
    return `${passed ?? '?'} passed (${(ran.ms / 1000).toFixed(1)} s)`;
  });
}

// ---- main ------------------------------------------------------------------

const tarball = await pack();
const installBegun = Date.now();
const installs = await Promise.allSettled(APPS.map((app) => install(app, tarball)));
installs.forEach((outcome, i) => {
  if (outcome.status === 'rejected') report(`${APPS[i]}: npm install`, false, String((outcome.reason as Error).message));
});
console.log(`installs: ${((Date.now() - installBegun) / 1000).toFixed(1)} s`);
const installed = (app: App) => installs[APPS.indexOf(app)]?.status === 'fulfilled';

const browser = await chromium.launch(chromiumLaunchOptions);
try {
  if (installed('vite-app')) await viteApp(browser);
  if (installed('react-app')) await reactApp(browser);
} finally {
  await browser.close();
}
if (installed('ts-node16')) await tsNode16();
if (installed('plain-node')) await plainNode();
if (installed('playwright-kit')) await playwrightKit();

const failed = outcomes.filter((o) => !o.ok).length;
console.log(`\ntest:package took ${((Date.now() - started) / 1000).toFixed(1)} s (scratch: ${scratch})`);
console.log(`${outcomes.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
