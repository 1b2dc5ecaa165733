/**
 * A real TURN server for tests: Debian's coturn on a free loopback port with
 * a long-term user/password. Its log is kept so a test can prove relayed
 * allocations happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../signaling-server/src/free-port.js';

export const TURNSERVER = '/usr/bin/turnserver';

export interface TurnServer {
  url: string;
  username: string;
  credential: string;
  /** What coturn has logged so far. */
  log(): string;
  stop(): Promise<void>;
}


export async function startTurnServer(): Promise<TurnServer> {
  if (!existsSync(TURNSERVER)) {
    throw new Error(`${TURNSERVER} is missing: run 'node scripts/ensure-system.js coturn' (as root) or 'apt-get install -y coturn'`);
  }
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'murmur-turn-'));
  const logFile = join(dir, 'turn.log');
  const username = 'murmur';
  const credential = 'test-password';
  const child: ChildProcess = spawn(
    TURNSERVER,
    [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
      '--min-port=49152', '--max-port=49652', '--lt-cred-mech', `--user=${username}:${credential}`,
      '--realm=murmur.test', '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers',
      '--fingerprint', '--simple-log', `--log-file=${logFile}`, '--verbose',
    ],
    { stdio: 'ignore' },
  );
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!/listener opened on|Total General servers/i.test(log())) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}: ${log().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`turnserver did not start within 10 s: ${log().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    username,
    credential,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
