import { describe, expect, it } from 'vitest';
import { layerContext } from '../../test/layer-context.js';

describe('Context timers', () => {
  it('keeps the earliest deadline per timer and says so only when it changes', () => {
    const { ctx } = layerContext();
    ctx.setTimer('ihave', 500);
    ctx.setTimer('ihave', 900);
    ctx.setTimer('ihave', 300);
    expect(ctx.out).toEqual([
      { type: 'set-timer', timer: 'ihave', at: 500 },
      { type: 'set-timer', timer: 'ihave', at: 300 },
    ]);
    expect(ctx.deadline('ihave')).toBe(300);
  });

  it('resetTimer moves a deadline either way; Infinity disarms', () => {
    const { ctx } = layerContext();
    ctx.resetTimer('suspicion', 100);
    ctx.resetTimer('suspicion', 400);
    ctx.resetTimer('suspicion', 400);
    expect(ctx.deadline('suspicion')).toBe(400);
    ctx.resetTimer('suspicion', Infinity);
    expect(ctx.deadline('suspicion')).toBeUndefined();
    expect(ctx.out.map((o) => o.type)).toEqual(['set-timer', 'set-timer', 'clear-timer']);
  });

  it('a fired timer is no longer armed; clearAllTimers clears every armed one once', () => {
    const { ctx } = layerContext();
    ctx.setTimer('probe', 1);
    ctx.setTimer('graft', 2);
    ctx.setTimer('presence', 3);
    ctx.fired('probe');
    ctx.out = [];
    ctx.clearAllTimers();
    expect(ctx.out).toEqual([
      { type: 'clear-timer', timer: 'graft' },
      { type: 'clear-timer', timer: 'presence' },
    ]);
    expect(ctx.armedTimers().size).toBe(0);
  });
});
