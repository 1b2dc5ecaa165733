import { describe, expect, it } from 'vitest';
import { ErrorCode, MurmurError } from '../errors.js';
import { createPrng } from '../prng.js';
import { GOSSIP_BOUNDS, GOSSIP_DEFAULTS, resolveConfig, type GossipOverrides } from './config.js';
import { GossipEngine } from './gossip-engine.js';
import { simTrust } from '../sim/sim-trust.js';

const rng = createPrng(1);
const trust = simTrust('a');

describe('gossip config', () => {
  it('merges defaults per group', () => {
    const config = resolveConfig({ selfId: 'a', rng, trust, presence: { throttleMs: 100 }, detector: { indirectProbes: 2 } });
    expect(config.overlay.maxLinks).toBe(8);
    expect(config.presence.throttleMs).toBe(100);
    expect(config.detector.indirectProbes).toBe(2);
    expect(config.detector.probeIntervalMs).toBe(GOSSIP_DEFAULTS.detector.probeIntervalMs);
  });

  it('every default lies within its bounds, and every field has bounds', () => {
    for (const [group, bounds] of Object.entries(GOSSIP_BOUNDS)) {
      const defaults = GOSSIP_DEFAULTS[group as keyof typeof GOSSIP_BOUNDS] as unknown as Record<string, number>;
      expect(Object.keys(bounds).sort(), group).toEqual(Object.keys(defaults).sort());
      for (const [key, [min, max]] of Object.entries(bounds as Record<string, readonly [number, number, boolean?]>)) {
        expect(defaults[key], `${group}.${key}`).toBeGreaterThanOrEqual(min);
        expect(defaults[key], `${group}.${key}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it.each<[GossipOverrides & { selfId?: string }, string]>([
    [{ overlay: { maxLinks: 9 } }, 'overlay.maxLinks'],
    [{ overlay: { maxLinks: 0 } }, 'overlay.maxLinks'],
    [{ presence: { throttleMs: 15 } }, 'presence.throttleMs'],
    [{ presence: { throttleMs: 1001 } }, 'presence.throttleMs'],
    [{ detector: { probeIntervalMs: 1.5 } }, 'detector.probeIntervalMs'],
    [{ detector: { suspicionMult: Number.NaN } }, 'detector.suspicionMult'],
    [{ detector: { minDirectTries: 7 } }, 'detector.minDirectTries'],
    [{ overlay: { targetLinks: 8, maxLinks: 4 } }, 'overlay.targetLinks'],
    [{ overlay: { passiveJoinTtl: 9, forwardJoinTtl: 4 } }, 'overlay.passiveJoinTtl'],
    [{ broadcast: { lazyFlushMs: 0 } }, 'broadcast.lazyFlushMs'],
    [{ antiEntropy: { intervalMs: 10 } }, 'antiEntropy.intervalMs'],
    [{ limits: { maxPresenceBytes: 1 } }, 'limits.maxPresenceBytes'],
    [{ limits: { nope: 1 } as never }, 'limits.nope'],
    [{ detector: 3 as never }, 'detector'],
    [{ selfId: '' }, 'selfId'],
    [{ roomMembership: 'yes' as unknown as boolean }, 'roomMembership'],
    [{ initialIncarnation: -1 }, 'initialIncarnation'],
    [{ selfId: 'x'.repeat(65) }, 'selfId'],
  ])('refuses %o naming %s', (bad, field) => {
    let error: unknown;
    try {
      new GossipEngine({ selfId: 'a', rng, trust, ...bad });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MurmurError);
    expect((error as MurmurError).code).toBe(ErrorCode.BAD_CONFIG);
    expect((error as MurmurError).message).toContain(`option ${field}:`);
  });

  it('refuses a missing rng', () => {
    expect(() => resolveConfig({ selfId: 'a', rng: undefined as unknown as typeof rng, trust })).toThrow(/rng/);
  });

  it.each([
    [undefined, /option trust: must be an EngineTrust/],
    [{ ...trust, publicKey: new Uint8Array(31) }, /option trust: publicKey must be 32 bytes/],
    [{ ...trust, verify: 'yes' }, /option trust: verify must be a function/],
  ])('refuses a trust that is not one (%#)', (bad, message) => {
    expect(() => resolveConfig({ selfId: 'a', rng, trust: bad as unknown as typeof trust })).toThrow(message);
  });
});
