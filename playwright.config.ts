import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/kit/chromium.js';

/**
 * Debian's Chromium, not Playwright's download (this project builds offline),
 * with the kit's WebRTC-friendly launch flags. One worker: each browser
 * context costs ~2 s of a 2-core machine, and the specs share one signaling
 * server on a free port.
 */
export { chromiumLaunchOptions };

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions,
    trace: 'off',
  },
});
