import { describe, expect, it } from 'vitest';
import { parseSwarmArgs } from './swarm-options.js';

describe('bench:swarm flags', () => {
  it('defaults to 60 peers in 6 processes, one run, a 2-minute watch', () => {
    expect(parseSwarmArgs([])).toEqual({ peers: 60, processes: 6, runs: 1, watchS: 120, convergeTimeoutS: 180, maxLinks: undefined, stun: 'default', json: false });
  });

  it('reads every flag', () => {
    expect(parseSwarmArgs(['--runs', '5', '--json', '--peers', '20', '--processes', '2', '--watch-s', '10', '--converge-timeout-s', '60', '--max-links', '4', '--stun', 'none'])).toEqual({
      peers: 20,
      processes: 2,
      runs: 5,
      watchS: 10,
      convergeTimeoutS: 60,
      maxLinks: 4,
      stun: 'none',
      json: true,
    });
  });

  it.each([
    [['--runs'], /--runs wants a value/],
    [['--runs', '--json'], /--runs wants a value/],
    [['--runs', '0'], /--runs wants an integer from 1 to 100, got 0/],
    [['--peers', '2.5'], /--peers wants an integer/],
    [['--peers', '61'], /multiple of --processes/],
    [['--peers', '4', '--processes', '6'], /cannot exceed --peers/],
    [['--peers', '120', '--processes', '2'], /too many/],
    [['--turbo'], /unknown flag --turbo/],
    [['--stun', 'google'], /--stun wants 'default' or 'none', got google/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSwarmArgs(argv)).toThrow(message);
    try {
      parseSwarmArgs(argv);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('MURMUR_BAD_ARGUMENT');
    }
  });
});
