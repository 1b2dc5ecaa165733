/**
 * `murmur-signal`: run the signaling server from a shell.
 *
 * Every flag maps 1:1 to a field of the config object (config.ts) and to an
 * env var; flags win over env vars, env vars over defaults. Bad values, and a
 * port already in use, exit 2 with one line that names the flag or variable
 * (the help is printed only for --help / -h). SIGTERM/SIGINT drain
 * gracefully; a second signal exits at once.
 *
 *   murmur-signal [flags]                       serve
 *   murmur-signal mint-token --room R [--ttl S] print a room token (needs the secret)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { DEFAULTS, resolveConfig, type SignalingServerOptions } from './config.js';
import { createRoomToken } from './room-token.js';
import { createSignalingServer } from './server.js';

type Kind = 'int' | 'number' | 'string' | 'list' | 'secret';

interface FlagSpec {
  flag: string;
  field: keyof typeof DEFAULTS;
  env: string;
  kind: Kind;
  help: string;
}

/** The one table behind parsing, env lookup and --help. */
export const FLAGS: readonly FlagSpec[] = [
  { flag: 'port', field: 'port', env: 'PORT', kind: 'int', help: 'TCP port to listen on (0 = any free port)' },
  { flag: 'host', field: 'host', env: 'HOST', kind: 'string', help: 'interface to bind (0.0.0.0 to expose)' },
  { flag: 'auth-secret', field: 'authSecret', env: 'MURMUR_AUTH_SECRET', kind: 'secret', help: 'HMAC secret for ?token= room tokens; empty = no auth (>= 16 chars)' },
  { flag: 'allowed-origins', field: 'allowedOrigins', env: 'MURMUR_ALLOWED_ORIGINS', kind: 'list', help: 'comma-separated Origin allowlist; empty = any' },
  { flag: 'max-connections', field: 'maxConnections', env: 'MURMUR_MAX_CONNECTIONS', kind: 'int', help: 'open sockets per instance; more are closed with 1013' },
  { flag: 'max-connections-per-ip', field: 'maxConnectionsPerIp', env: 'MURMUR_MAX_CONNECTIONS_PER_IP', kind: 'int', help: 'open sockets from one remote address; more are closed with 4409' },
  { flag: 'max-connections-per-token', field: 'maxConnectionsPerToken', env: 'MURMUR_MAX_CONNECTIONS_PER_TOKEN', kind: 'int', help: 'open sockets carrying one token; more are closed with 4409' },
  { flag: 'max-room-slots-per-ip', field: 'maxRoomSlotsPerIp', env: 'MURMUR_MAX_ROOM_SLOTS_PER_IP', kind: 'int', help: 'rooms held at once by one remote address' },
  { flag: 'max-room-slots-per-token', field: 'maxRoomSlotsPerToken', env: 'MURMUR_MAX_ROOM_SLOTS_PER_TOKEN', kind: 'int', help: 'rooms held at once by one token' },
  { flag: 'join-timeout-ms', field: 'joinTimeoutMs', env: 'MURMUR_JOIN_TIMEOUT_MS', kind: 'int', help: 'a socket that has not joined a room by then is closed with 4408' },
  { flag: 'max-rooms-per-connection', field: 'maxRoomsPerConnection', env: 'MURMUR_MAX_ROOMS_PER_CONNECTION', kind: 'int', help: 'rooms one socket may be in' },
  { flag: 'max-peers-per-room', field: 'maxPeersPerRoom', env: 'MURMUR_MAX_PEERS_PER_ROOM', kind: 'int', help: 'peers per room (across instances with --redis)' },
  { flag: 'rate-limit', field: 'rateLimit', env: 'MURMUR_RATE_LIMIT', kind: 'number', help: 'sustained frames/s per socket (token bucket)' },
  { flag: 'rate-burst', field: 'rateBurst', env: 'MURMUR_RATE_BURST', kind: 'int', help: 'token bucket size (frames)' },
  { flag: 'rate-limit-close-after', field: 'rateLimitCloseAfter', env: 'MURMUR_RATE_LIMIT_CLOSE_AFTER', kind: 'int', help: 'frames dropped for rate within 1 s before close 4429' },
  { flag: 'max-frame-bytes', field: 'maxFrameBytes', env: 'MURMUR_MAX_FRAME_BYTES', kind: 'int', help: 'larger frames get MURMUR_FRAME_TOO_LARGE' },
  { flag: 'max-payload-bytes', field: 'maxPayloadBytes', env: 'MURMUR_MAX_PAYLOAD_BYTES', kind: 'int', help: 'larger frames close the socket (1009)' },
  { flag: 'max-buffered-bytes', field: 'maxBufferedBytes', env: 'MURMUR_MAX_BUFFERED_BYTES', kind: 'int', help: 'unsent bytes before a slow reader is dropped' },
  { flag: 'sample-size', field: 'sampleSize', env: 'MURMUR_SAMPLE_SIZE', kind: 'int', help: 'peers named in a joined reply' },
  { flag: 'ping-interval-ms', field: 'pingIntervalMs', env: 'MURMUR_PING_INTERVAL_MS', kind: 'int', help: 'WebSocket ping period; one missed pong drops the socket' },
  { flag: 'shutdown-grace-ms', field: 'shutdownGraceMs', env: 'MURMUR_SHUTDOWN_GRACE_MS', kind: 'int', help: 'on SIGTERM, wait this long for clients before terminating' },
  { flag: 'redis', field: 'redisUrl', env: 'REDIS_URL', kind: 'string', help: 'redis://host:port to share rooms with other instances' },
  { flag: 'redis-prefix', field: 'redisPrefix', env: 'MURMUR_REDIS_PREFIX', kind: 'string', help: 'prefix of Redis keys and channels' },
  { flag: 'keep', field: 'keep', env: 'MURMUR_KEEP', kind: 'string', help: "directory: keep each room's Yjs doc in a LevelDB there (the server joins rooms as a peer)" },
  { flag: 'log-level', field: 'logLevel', env: 'MURMUR_LOG_LEVEL', kind: 'string', help: 'debug | info | warn | error' },
];

function showDefault(spec: FlagSpec): string {
  const value: unknown = DEFAULTS[spec.field];
  if (spec.kind === 'secret') return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'any' : value.join(',');
  return value === '' ? 'none' : String(value);
}

export const HELP = [
  'Usage: murmur-signal [flags]',
  '       murmur-signal mint-token --room ROOM [--ttl SECONDS] [--key PUBLIC_KEY] [--auth-secret S]',
  '',
  'Flags (each also read from the env var shown; flags win):',
  ...FLAGS.map((s) => `  --${`${s.flag} ${s.kind === 'list' ? 'A,B' : 'V'}`.padEnd(31)} ${s.help}. Env ${s.env}. Default ${showDefault(s)}.`),
  `  -p V                              Short for --port.`,
  `  -h, --${'help'.padEnd(27)} Show this help.`,
  `  --${'version'.padEnd(31)} Print the version.`,
  '',
  'mint-token prints a token for ws://HOST:PORT/signal?token=TOKEN; --room * admits to any room;',
  '--ttl defaults to 3600 s; --key binds the token to one peer key. Clients connect to ws://HOST:PORT/signal. HTTP: GET /healthz (liveness),',
  '/readyz (readiness, 503 while draining or full), /metrics (Prometheus).',
].join('\n');

function parseValue(spec: FlagSpec, raw: string, source: string): unknown {
  switch (spec.kind) {
    case 'int':
      if (!/^\d{1,12}$/.test(raw)) throw new MurmurError(ErrorCode.BAD_CONFIG, `${source} must be a non-negative integer, got '${raw}'`);
      if (spec.field === 'port' && Number(raw) > 65535) {
        throw new MurmurError(ErrorCode.BAD_CONFIG, `${source} must be a port number from 0 to 65535, got '${raw}'`);
      }
      return Number(raw);
    case 'number':
      if (!/^\d+(\.\d+)?$/.test(raw)) throw new MurmurError(ErrorCode.BAD_CONFIG, `${source} must be a positive number, got '${raw}'`);
      return Number(raw);
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    default:
      return raw;
  }
}

/** Kept for callers of the first CLI. */
export function parsePort(raw: string, source: string): number {
  return parseValue(FLAGS[0] as FlagSpec, raw, source) as number;
}

export type CliCommand =
  | { command: 'serve'; options: SignalingServerOptions; help: boolean }
  | { command: 'version' }
  | { command: 'mint-token'; room: string; ttlSeconds: number; secret: string; key?: string };

function parseFlags(argv: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }>) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' }, ...extra };
  for (const spec of FLAGS) options[spec.flag] = { type: 'string' };
  if (!('room' in extra)) {
    options.port = { type: 'string', short: 'p' };
    options.version = { type: 'boolean' };
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new MurmurError(ErrorCode.BAD_CONFIG, (error as Error).message);
  }
}

/** Flags and env → config options; validated by the same resolveConfig the API uses. */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliCommand {
  if (argv[0] === 'mint-token') {
    const values = parseFlags(argv.slice(1), { room: { type: 'string' }, ttl: { type: 'string' }, key: { type: 'string' } });
    const room = values.room;
    if (typeof room !== 'string') throw new MurmurError(ErrorCode.BAD_CONFIG, 'mint-token needs --room ROOM (or --room "*")');
    const ttlRaw = typeof values.ttl === 'string' ? values.ttl : '3600';
    if (!/^\d{1,9}$/.test(ttlRaw) || Number(ttlRaw) === 0) {
      throw new MurmurError(ErrorCode.BAD_CONFIG, `--ttl must be a positive number of seconds, got '${ttlRaw}'`);
    }
    const secret = typeof values['auth-secret'] === 'string' ? values['auth-secret'] : (env.MURMUR_AUTH_SECRET ?? '');
    if (secret === '') throw new MurmurError(ErrorCode.BAD_CONFIG, 'mint-token needs --auth-secret or MURMUR_AUTH_SECRET');
    const key = values.key;
    if (key !== undefined && (typeof key !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(key))) {
      throw new MurmurError(ErrorCode.BAD_CONFIG, '--key must be an Ed25519 public key in base64url (43 characters: identity.publicKey)');
    }
    return typeof key === 'string' ? { command: 'mint-token', room, ttlSeconds: Number(ttlRaw), secret, key } : { command: 'mint-token', room, ttlSeconds: Number(ttlRaw), secret };
  }
  const values = parseFlags(argv, {});
  if (values.version === true) return { command: 'version' };
  const options: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const flagValue = values[spec.flag];
    const envValue = env[spec.env];
    if (typeof flagValue === 'string') options[spec.field] = parseValue(spec, flagValue, `--${spec.flag}`);
    else if (envValue !== undefined && envValue !== '') options[spec.field] = parseValue(spec, envValue, spec.env);
  }
  if (options.host !== undefined && String(options.host).trim() === '') {
    throw new MurmurError(ErrorCode.BAD_CONFIG, '--host must not be empty');
  }
  try {
    resolveConfig(options as SignalingServerOptions);
  } catch (error) {
    // Name the flag, not the field, in what the operator reads.
    const spec = FLAGS.find((s) => (error as Error).message.startsWith(`${s.field} `));
    const message = spec ? (error as Error).message.replace(spec.field, `--${spec.flag} (${spec.env})`) : (error as Error).message;
    throw new MurmurError(ErrorCode.BAD_CONFIG, message);
  }
  return { command: 'serve', options: options as SignalingServerOptions, help: values.help === true };
}

/** The version in the package.json beside the sources (repository) or the build (installed). */
function packageVersion(): string {
  for (const candidate of ['../../package.json', '../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'murmur-mesh' && manifest.version) return manifest.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let parsed: CliCommand;
  try {
    parsed = parseCli(argv, env);
  } catch (error) {
    process.stderr.write(`murmur-signal: ${(error as Error).message} (see murmur-signal --help)\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  if (parsed.command === 'mint-token') {
    const claims = { room: parsed.room, expiresAt: Date.now() + parsed.ttlSeconds * 1000 };
    const token = createRoomToken(parsed.key === undefined ? claims : { ...claims, key: parsed.key }, parsed.secret);
    process.stdout.write(`${token}\n`);
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  let server: Awaited<ReturnType<typeof createSignalingServer>>;
  try {
    server = await createSignalingServer(parsed.options);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
    const where = `${parsed.options.host ?? DEFAULTS.host}:${parsed.options.port ?? DEFAULTS.port}`;
    const why = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs privileges' : 'is not an address of this machine';
    process.stderr.write(`murmur-signal: cannot listen on ${where}: it ${why} (${message.split('\n')[0]}); pick another with --port (PORT)\n`);
    process.exitCode = 2;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal means "now"
    stopping = true;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'signal received', signal })}\n`);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
