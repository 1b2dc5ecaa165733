#!/usr/bin/env node
// In the repository (sources present) the CLI runs from TypeScript through
// tsx, so it never lags behind a stale build; an installed package ships
// only the compiled dist/cli.js, and needs no tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../signaling-server/src/cli.ts', import.meta.url));
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source));
} else {
  ({ main } = await import('../dist/cli.js'));
}
await main(process.argv.slice(2), process.env);
