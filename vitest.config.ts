import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node rooms in tests run the peer the package ships (lite-peer over
  // @roamhq/wrtc; see scripts/build.js), not simple-peer.
  resolve: { alias: { 'simple-peer': fileURLToPath(new URL('./client/src/lite-peer.ts', import.meta.url)) } },
  test: {
    include: ['shared/**/*.test.ts', 'signaling-server/**/*.test.ts', 'client/**/*.test.ts', 'bench/**/*.test.ts', 'e2e/kit/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
