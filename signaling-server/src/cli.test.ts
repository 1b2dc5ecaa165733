import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { parseCli } from './cli.js';

describe('parseCli', () => {
  it('takes defaults, env, then flags', () => {
    expect(parseCli([], {})).toEqual({ port: 8787, host: '127.0.0.1', help: false });
    expect(parseCli([], { PORT: '9000', HOST: '0.0.0.0' })).toEqual({ port: 9000, host: '0.0.0.0', help: false });
    expect(parseCli(['--port', '0', '--host', '::1'], { PORT: '9000' })).toEqual({ port: 0, host: '::1', help: false });
  });

  it.each([
    [['--port', 'abc'], {}, /--port/],
    [['--port', '70000'], {}, /--port/],
    [[], { PORT: '-5' }, /PORT/],
    [['--bogus'], {}, /bogus/],
    [['--host', ''], {}, /--host/],
  ])('rejects %j %j', (argv, env, pattern) => {
    expect(() => parseCli(argv, env)).toThrow(pattern);
    try {
      parseCli(argv, env);
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.BAD_CONFIG);
    }
  });
});
