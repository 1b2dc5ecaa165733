import { defineConfig } from '@playwright/test';

/**
 * Debian's Chromium, not Playwright's download (this project builds offline).
 * One worker: each browser context costs ~2 s of a 2-core machine, and the
 * specs start their own signaling server on a free port.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    // Let headless WebRTC gather plain loopback host candidates.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-dev-shm-usage',
  ],
};

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
