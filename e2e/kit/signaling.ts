/**
 * A murmur signaling server for tests that can be stopped and started again
 * on the same port, so users' reconnects find it where they left it. It also
 * serves a static directory (by default the package's built dist/), so the
 * harness page and an app's pages load from the same origin.
 */
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/server.js';
import { serveStatic } from '../../signaling-server/src/static-files.js';

/**
 * The murmur package root: the nearest folder above this module whose
 * package.json is murmur's (the kit runs from e2e/kit/ in the repository
 * and from dist/playwright.js when installed).
 */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'murmur-mesh') return dir;
    if (dirname(dir) === dir) throw new Error(`murmur-mesh/playwright: no murmur-mesh package.json above ${start}`);
  }
}

export interface TestSignaling {
  /** ws://127.0.0.1:PORT/signal */
  readonly url: string;
  readonly port: number;
  /** http://127.0.0.1:PORT/ — `/dist/…` serves the static directory. */
  readonly baseUrl: string;
  readonly running: boolean;
  /** Close the server and every socket; users' links stay up. Idempotent. */
  stop(): Promise<void>;
  /** Listen again on the same port. Idempotent. */
  start(): Promise<void>;
}

export interface TestSignalingOptions {
  /** Directory served at `/` and `/dist/`. Default: the package's dist/. null: serve nothing. */
  staticDir?: string | null;
  /** Port to listen on; 0 (default) picks a free one once, and restarts reuse it. */
  port?: number;
}

export async function startTestSignaling(options: TestSignalingOptions = {}): Promise<TestSignaling> {
  const staticDir = options.staticDir === undefined ? join(packageRoot, 'dist') : options.staticDir;
  const onRequest = staticDir === null ? undefined : serveStatic(staticDir);
  const listen = (port: number) => createSignalingServer({ port, host: '127.0.0.1', onRequest, log: () => {} });
  let server: SignalingServer | null = await listen(options.port ?? 0);
  const port = server.port;
  const url = server.url;
  // start()/stop() may be called concurrently from a test and a teardown.
  let pending: Promise<void> = Promise.resolve();
  const serial = (step: () => Promise<void>): Promise<void> => (pending = pending.then(step, step));
  return {
    url,
    port,
    baseUrl: `http://127.0.0.1:${port}/`,
    get running() {
      return server !== null;
    },
    stop: () =>
      serial(async () => {
        const closing = server;
        server = null;
        await closing?.close();
      }),
    start: () =>
      serial(async () => {
        if (server) return;
        // The old socket may linger in TIME_WAIT for a moment on some kernels.
        const deadline = Date.now() + 5_000;
        for (;;) {
          try {
            server = await listen(port);
            return;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }),
  };
}
