import { describe, expect, it } from 'vitest';
import { ErrorCode, MurmurError } from '../errors.js';
import { createPrng } from '../prng.js';
import { GOSSIP_DEFAULTS, resolveConfig } from './config.js';
import { GossipEngine } from './gossip-engine.js';

const rng = createPrng(1);

describe('gossip config', () => {
  it('merges defaults', () => {
    const config = resolveConfig({ selfId: 'a', rng, presenceThrottleMs: 100 });
    expect(config.maxLinks).toBe(8);
    expect(config.presenceThrottleMs).toBe(100);
    expect(config.probeIntervalMs).toBe(GOSSIP_DEFAULTS.probeIntervalMs);
  });

  it.each([
    [{ maxLinks: 9 }, 'maxLinks'],
    [{ maxLinks: 0 }, 'maxLinks'],
    [{ presenceThrottleMs: 15 }, 'presenceThrottleMs'],
    [{ presenceThrottleMs: 1001 }, 'presenceThrottleMs'],
    [{ probeIntervalMs: 1.5 }, 'probeIntervalMs'],
    [{ suspicionMult: Number.NaN }, 'suspicionMult'],
    [{ targetLinks: 8, maxLinks: 4 }, 'targetLinks'],
    [{ passiveJoinTtl: 9, forwardJoinTtl: 4 }, 'passiveJoinTtl'],
    [{ selfId: '' }, 'selfId'],
    [{ roomMembership: 'yes' as unknown as boolean }, 'roomMembership'],
    [{ selfId: 'x'.repeat(65) }, 'selfId'],
  ])('refuses %o naming %s', (bad, field) => {
    let error: unknown;
    try {
      new GossipEngine({ selfId: 'a', rng, ...bad });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MurmurError);
    expect((error as MurmurError).code).toBe(ErrorCode.BAD_CONFIG);
    expect((error as MurmurError).message).toContain(field);
  });

  it('refuses a missing rng', () => {
    expect(() => resolveConfig({ selfId: 'a', rng: undefined as unknown as typeof rng })).toThrow(/rng/);
  });
});
