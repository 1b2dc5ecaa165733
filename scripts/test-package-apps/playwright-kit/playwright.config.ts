import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from 'murmur-mesh/playwright';

export default defineConfig({
  testDir: 'tests',
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions },
});
