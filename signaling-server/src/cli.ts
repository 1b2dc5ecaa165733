/**
 * `murmur-signal`: run the signaling server from a shell.
 * Flags win over env vars (PORT, HOST); bad values exit 2 with a message
 * that names the flag.
 */
import { parseArgs } from 'node:util';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { createSignalingServer } from './server.js';

const HELP = `Usage: murmur-signal [--port N] [--host ADDR]

  --port N      TCP port to listen on (0 = any free port). Env PORT. Default 8787.
  --host ADDR   Interface to bind. Env HOST. Default 127.0.0.1.
  --help        Show this help.

Clients connect to ws://HOST:PORT/signal; GET /healthz reports status.`;

export interface CliConfig {
  port: number;
  host: string;
  help: boolean;
}

export function parsePort(raw: string, source: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new MurmurError(ErrorCode.BAD_CONFIG, `${source} must be a port number from 0 to 65535, got '${raw}'`);
  }
  return Number(raw);
}

export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new MurmurError(ErrorCode.BAD_CONFIG, (error as Error).message);
  }
  const port =
    values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : 8787;
  const host = values.host ?? (env.HOST || '127.0.0.1');
  if (host.trim() === '') throw new MurmurError(ErrorCode.BAD_CONFIG, '--host must not be empty');
  return { port, host, help: values.help ?? false };
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let config: CliConfig;
  try {
    config = parseCli(argv, env);
  } catch (error) {
    process.stderr.write(`murmur-signal: ${(error as Error).message}\n\n${HELP}\n`);
    process.exitCode = 2;
    return;
  }
  if (config.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const server = await createSignalingServer({ port: config.port, host: config.host });
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
