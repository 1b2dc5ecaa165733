/**
 * Shared e2e fixtures: the murmur-mesh/playwright kit (`signaling`, `murmur`), plus
 * `demo`, the older name for the same worker server, kept for specs that use it.
 */
import { test as kit } from './kit/index.js';

export interface DemoServer {
  server: { url: string; port: number };
  /** http://127.0.0.1:PORT/ */
  pageUrl: string;
}

export const test = kit.extend<object, { demo: DemoServer }>({
  demo: [
    async ({ signaling }, use) => {
      await use({ server: { url: signaling.url, port: signaling.port }, pageUrl: signaling.baseUrl });
    },
    { scope: 'worker' },
  ],
});

export { expect } from './kit/index.js';
