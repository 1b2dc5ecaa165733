/**
 * The real `murmur-signal` binary: flags reach the server, and SIGTERM
 * drains (clients see 1001, the process exits 0).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from './admission.js';
import { listeningUrl } from './listening-url.js';
import { createIdentity } from '../../client/src/identity.js';
import { connectTestClient, signedJoin } from './test-client.js';

const BIN = fileURLToPath(new URL('../../bin/murmur-signal.js', import.meta.url));

describe('murmur-signal process', () => {
  it('serves with flags and drains on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, '--port', '0', '--max-rooms-per-connection', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const url = await listeningUrl(child);
    const c = await connectTestClient(url);
    const identity = createIdentity();
    c.send(signedJoin(identity, await c.challenge, 'a'));
    await c.next((m) => m.type === 'joined');
    c.send(signedJoin(identity, await c.challenge, 'b'));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'MURMUR_TOO_MANY_ROOMS' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await c.closed).toEqual({ code: CLOSE_CODES.GOING_AWAY, reason: 'server shutting down' });
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'signal received', 'draining', 'closed']));
  });

  it('exits 2 naming the bad flag', async () => {
    const child = spawn(process.execPath, [BIN, '--rate-limit', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(err).toMatch(/--rate-limit must be/);
  });

  const run = (args: string[]) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
  };

  it('a port in use is one line on stderr and exit 2, not a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, err } = await run(['-p', String(port)]);
      expect(code).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toContain(`cannot listen on 127.0.0.1:${port}: it is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('--version prints the version; -h the help; a bad flag no help', async () => {
    const version = await run(['--version']);
    expect(version).toMatchObject({ code: 0, out: `${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n` });
    const help = await run(['-h']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: murmur-signal');
    const bad = await run(['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain('Usage:');
  });
});
