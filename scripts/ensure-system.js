#!/usr/bin/env node
// Makes sure a Debian system package the tests need is present:
//   node scripts/ensure-system.js chromium redis-server ...
// Installs it with apt-get when running as root; otherwise stops with the
// exact command to run. Playwright's own browser download cannot work
// offline, so the e2e suite uses Debian's Chromium.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian package → the binary that proves it is installed. */
const PACKAGES = {
  chromium: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  'redis-server': '/usr/bin/redis-server',
  coturn: '/usr/bin/turnserver',
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in PACKAGES));
if (wanted.length === 0 || unknown.length > 0) {
  console.error(`usage: ensure-system.js ${Object.keys(PACKAGES).join('|')} ...` + (unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''));
  process.exit(2);
}
const missing = wanted.filter((name) => !existsSync(PACKAGES[name]));
if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  console.error(`murmur: the tests need ${missing.join(', ')} (${missing.map((m) => PACKAGES[m]).join(', ')}), which is missing.`);
  console.error(`Install it as root:  sudo sh -c '${command}'`);
  process.exit(1);
}
console.log(`murmur: installing ${missing.join(', ')} with apt-get (needed by the tests)...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
const result = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
const still = missing.filter((name) => !existsSync(PACKAGES[name]));
if (result.status !== 0 || still.length > 0) {
  console.error(`murmur: apt-get could not install ${still.join(', ') || missing.join(', ')}. Run by hand: ${command}`);
  process.exit(1);
}
