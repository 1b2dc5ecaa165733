import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { FLAGS, HELP, parseCli } from './cli.js';
import { DEFAULTS } from './config.js';
import { verifyRoomToken } from './room-token.js';

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseCli(argv, env);
  if (parsed.command !== 'serve') throw new Error('expected serve');
  return parsed;
};

describe('parseCli', () => {
  it('takes defaults, env, then flags', () => {
    expect(serve([])).toEqual({ command: 'serve', options: {}, help: false });
    expect(serve([], { PORT: '9000', HOST: '0.0.0.0' }).options).toEqual({ port: 9000, host: '0.0.0.0' });
    expect(serve(['--port', '0', '--host', '::1'], { PORT: '9000' }).options).toEqual({ port: 0, host: '::1' });
  });

  it('maps every flag and env var onto the config field', () => {
    const argv = ['--auth-secret', 'a-secret-of-16-chars', '--allowed-origins', 'https://a.example, https://b.example',
      '--rate-limit', '2.5', '--max-connections', '20000', '--redis', 'redis://127.0.0.1:6379', '--log-level', 'warn'];
    expect(serve(argv).options).toEqual({
      authSecret: 'a-secret-of-16-chars',
      allowedOrigins: ['https://a.example', 'https://b.example'],
      rateLimit: 2.5,
      maxConnections: 20000,
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'warn',
    });
    expect(serve([], { MURMUR_AUTH_SECRET: 'x'.repeat(16), REDIS_URL: 'redis://r:1', MURMUR_MAX_PEERS_PER_ROOM: '5' }).options)
      .toEqual({ authSecret: 'x'.repeat(16), redisUrl: 'redis://r:1', maxPeersPerRoom: 5 });
  });

  it('lists every flag with its default in --help', () => {
    expect(serve(['--help']).help).toBe(true);
    for (const spec of FLAGS) {
      expect(HELP).toContain(`--${spec.flag}`);
      expect(HELP).toContain(spec.env);
    }
    expect(HELP).toContain(`Default ${DEFAULTS.maxConnections}.`);
    expect(new Set(FLAGS.map((s) => s.field)).size).toBe(FLAGS.length);
  });

  it('mints a token the server accepts', () => {
    const parsed = parseCli(['mint-token', '--room', 'lobby', '--ttl', '60'], { MURMUR_AUTH_SECRET: 's'.repeat(16) });
    expect(parsed).toEqual({ command: 'mint-token', room: 'lobby', ttlSeconds: 60, secret: 's'.repeat(16) });
    expect(() => parseCli(['mint-token', '--room', 'lobby'], {})).toThrow(/auth-secret/);
    const key = 'A'.repeat(43);
    expect(parseCli(['mint-token', '--room', 'lobby', '--key', key], { MURMUR_AUTH_SECRET: 's'.repeat(16) })).toMatchObject({ key });
    expect(() => parseCli(['mint-token', '--room', 'lobby', '--key', 'short'], { MURMUR_AUTH_SECRET: 's'.repeat(16) })).toThrow(/--key/);
    expect(verifyRoomToken('nope', 's', 0).ok).toBe(false);
  });

  it.each([
    [['--port', 'abc'], {}, /--port/],
    [['--port', '70000'], {}, /--port/],
    [[], { PORT: '-5' }, /PORT/],
    [['--bogus'], {}, /bogus/],
    [['--host', ''], {}, /--host/],
    [['--auth-secret', 'short'], {}, /--auth-secret/],
    [['--rate-limit-close-after', '0'], {}, /--rate-limit-close-after/],
    [['--redis', 'http://x'], {}, /--redis/],
    [['--log-level', 'loud'], {}, /--log-level/],
    [[], { MURMUR_MAX_CONNECTIONS: 'many' }, /MURMUR_MAX_CONNECTIONS/],
  ])('rejects %j %j', (argv, env, pattern) => {
    expect(() => parseCli(argv, env)).toThrow(pattern);
    try {
      parseCli(argv, env);
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.BAD_CONFIG);
    }
  });
});
