/**
 * `npm start`: build the bundles, then serve the demo page at / and
 * signaling at /signal on one port (PORT, default 8787; HOST, default
 * 127.0.0.1).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../signaling-server/src/cli.js';
import { createSignalingServer } from '../signaling-server/src/server.js';
import { serveStatic } from '../signaling-server/src/static-files.js';
import { buildAll } from './build.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');

let config;
try {
  config = parseCli(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(2);
}
const sizes = await buildAll();
const server = await createSignalingServer({
  port: config.port,
  host: config.host,
  onRequest: serveStatic(join(root, 'dist')),
  log: (record) => {
    if (record.level !== 'info') console.error(JSON.stringify(record));
  },
});
const page = server.url.replace(/^ws/, 'http').replace(/\/signal$/, '/');
console.log(`murmur demo: ${page}  (open it in two windows; ?room=NAME picks a room)`);
console.log(`signaling:   ${server.url}`);
for (const file of ['murmur.js', 'murmur-components.js']) {
  console.log(`bundle:      dist/${file} ${((sizes[file]?.raw ?? 0) / 1024).toFixed(1)} KiB (${((sizes[file]?.gzip ?? 0) / 1024).toFixed(1)} KiB gzip)`);
}
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
