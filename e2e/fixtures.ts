/**
 * Shared e2e fixtures: one demo + signaling server per worker on a free
 * port, serving the built dist/ exactly as `npm start` does.
 */
import { test as base } from '@playwright/test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSignalingServer, type SignalingServer } from '../signaling-server/src/server.js';
import { serveStatic } from '../signaling-server/src/static-files.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');

export interface DemoServer {
  server: SignalingServer;
  /** http://127.0.0.1:PORT/ */
  pageUrl: string;
}

export const test = base.extend<object, { demo: DemoServer }>({
  demo: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const server = await createSignalingServer({ port: 0, onRequest: serveStatic(join(root, 'dist')), log: () => {} });
      await use({ server, pageUrl: `http://127.0.0.1:${server.port}/` });
      await server.close();
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
