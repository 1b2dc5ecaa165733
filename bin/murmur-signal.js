#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the package needs no build step to serve.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../signaling-server/src/cli.ts');
await main(process.argv.slice(2), process.env);
