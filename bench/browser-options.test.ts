import { describe, expect, it } from 'vitest';
import { BenchFlagError, parseBrowserOptions } from './browser-options.js';

describe('bench:browser flags', () => {
  it('defaults to today\'s run, once', () => {
    expect(parseBrowserOptions([])).toEqual({
      json: false,
      sizes: [4, 8, 12],
      systems: ['murmur', 'y-webrtc'],
      updates: 40,
      gapMs: 100,
      skipBuild: false,
      repeat: 1,
    });
  });

  it('reads --repeat and the other flags', () => {
    const options = parseBrowserOptions(['--n', '4, 8', '--repeat', '3', '--systems', 'y-webrtc', '--json', '--skip-build', '--updates', '20', '--gap-ms', '0']);
    expect(options).toMatchObject({ sizes: [4, 8], repeat: 3, systems: ['y-webrtc'], json: true, skipBuild: true, updates: 20, gapMs: 0 });
    expect(parseBrowserOptions(['--repeat=20']).repeat).toBe(20);
  });

  it.each([
    [['--repeat', '0'], "--repeat must be an integer from 1 to 20, got '0'"],
    [['--repeat', '2.5'], "--repeat must be an integer from 1 to 20, got '2.5'"],
    [['--repeat', 'three'], "--repeat must be an integer from 1 to 20, got 'three'"],
    [['--repeat', ''], "--repeat must be an integer from 1 to 20, got ''"],
    [['--repeat', '21'], "--repeat must be an integer from 1 to 20, got '21'"],
    [['--n', '4,x'], "--n must be an integer from 4 to 32 (a kill and two closes need 4), as a comma-separated list, got 'x'"],
    [['--n', '2'], "--n must be an integer from 4 to 32 (a kill and two closes need 4), as a comma-separated list, got '2'"],
    [['--systems', 'trystero'], "--systems takes murmur and/or y-webrtc, got 'trystero'"],
    [['--updates=-1'], "--updates must be an integer from 1 to 10000, got '-1'"],
    [['--gap-ms', 'soon'], "--gap-ms must be an integer from 0 to 60000, got 'soon'"],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseBrowserOptions(argv)).toThrow(BenchFlagError);
    expect(() => parseBrowserOptions(argv)).toThrow(message);
  });

  it('refuses an unknown flag and a flag without its value', () => {
    expect(() => parseBrowserOptions(['--repeats', '3'])).toThrow(/Unknown option '--repeats'/);
    expect(() => parseBrowserOptions(['--repeat'])).toThrow(BenchFlagError);
    expect(() => parseBrowserOptions(['--updates', '-1'])).toThrow(/^Option '--updates' argument is ambiguous\. [^\n]+$/);
  });
});
