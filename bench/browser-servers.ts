/**
 * The servers a benchmark run needs: a static file server for the pages, a
 * murmur signaling server (stoppable, same port after restart) and y-webrtc's
 * own signaling server as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serveStatic } from '../signaling-server/src/static-files.js';
import { freePort } from '../signaling-server/src/free-port.js';
import { startTestSignaling } from '../e2e/kit/signaling.js';
import { root } from './browser-pages.js';

/** What a system's signaling looks like to the runner. */
export interface BenchSignaling {
  url: string;
  stop(): Promise<void>;
}

export async function startStaticServer(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer(serveStatic(join(root, 'dist')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export async function startMurmurSignaling(): Promise<BenchSignaling> {
  const server = await startTestSignaling({ staticDir: null });
  return { url: server.url, stop: () => server.stop() };
}

/** node_modules/y-webrtc/bin/server.js on a free port (it reads PORT). */
export async function startYWebrtcSignaling(): Promise<BenchSignaling> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(root, 'node_modules/y-webrtc/bin/server.js')], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      (res) => res.ok,
      () => false,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`y-webrtc signaling server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
