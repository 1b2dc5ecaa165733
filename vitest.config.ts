import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'signaling-server/**/*.test.ts', 'client/**/*.test.ts', 'bench/**/*.test.ts', 'e2e/kit/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
