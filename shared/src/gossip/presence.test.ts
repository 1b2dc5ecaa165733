import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents } from '../../test/layer-context.js';
import { MurmurError } from '../errors.js';
import { Membership } from './membership.js';
import { Presence } from './presence.js';

describe('Presence alone', () => {
  it('sends the first update at once and coalesces the next ones to one per throttle period', () => {
    const { ctx } = layerContext();
    const membership = new Membership('me', 0);
    const presence = new Presence(ctx, membership);
    presence.set({ x: 1 });
    expect(takeEvents(ctx)).toEqual([{ type: 'presence-due' }]);
    ctx.now = 10;
    presence.set({ x: 2 });
    presence.set({ x: 3 });
    expect(takeEvents(ctx)).toEqual([]);
    expect(ctx.deadline('presence')).toBe(ctx.config.presence.throttleMs);
    expect(presence.checkInvariants()).toBeUndefined();
    ctx.now = ctx.config.presence.throttleMs;
    ctx.fired('presence');
    presence.onTimer();
    expect(takeEvents(ctx)).toEqual([{ type: 'presence-due' }]);
    expect(membership.self.presence).toEqual({ x: 3 });
    expect(membership.self.presenceVersion).toBe(3);
  });

  it('refuses presence over the limit before changing anything, and keeps working', () => {
    const { ctx } = layerContext('me', { limits: { maxPresenceBytes: 64 } });
    const membership = new Membership('me', 0);
    const presence = new Presence(ctx, membership);
    presence.set({ ok: true });
    expect(() => presence.set({ big: 'x'.repeat(100) })).toThrow(MurmurError);
    expect(membership.self.presenceVersion).toBe(1);
    expect(membership.self.presence).toEqual({ ok: true });
    ctx.now = 1000;
    presence.set({ ok: false });
    expect(membership.self.presenceVersion).toBe(2);
  });
});
