// One page per build (ENTRY), so each bundle's size is its own.
import { defineConfig } from 'vite';

const entry = process.env.ENTRY ?? 'index';

export default defineConfig({
  build: {
    outDir: `dist-${entry}`,
    emptyOutDir: true,
    rollupOptions: { input: `${entry}.html` },
  },
});
