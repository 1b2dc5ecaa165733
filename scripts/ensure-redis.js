#!/usr/bin/env node
// Make sure Debian's redis-server is on PATH: the signaling server's
// two-instance tests start a real one. Installs it when running as root;
// otherwise exits 1 and says exactly what to run.
import { execFileSync, spawnSync } from 'node:child_process';

function hasRedis() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

if (hasRedis()) {
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
  process.stderr.write(
    'ensure-redis: redis-server is not on PATH and this is not root.\n' +
      'Run: sudo apt-get update && sudo apt-get install -y redis-server\n',
  );
  process.exit(1);
}
process.stdout.write('ensure-redis: installing redis-server with apt-get\n');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env });
} catch (error) {
  process.stderr.write(`ensure-redis: apt-get failed (${error.message}); install redis-server by hand\n`);
  process.exit(1);
}
if (!hasRedis()) {
  process.stderr.write('ensure-redis: apt-get finished but redis-server is still not on PATH\n');
  process.exit(1);
}
