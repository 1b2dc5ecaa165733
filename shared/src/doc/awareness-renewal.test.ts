import { describe, expect, it } from 'vitest';
import { AwarenessRenewal } from './awareness-renewal.js';

describe('AwarenessRenewal', () => {
  it('renews every period until stopped, then stays quiet', () => {
    const renewal = new AwarenessRenewal(10_000);
    expect(renewal.handle({ type: 'start' }, 5)).toEqual([{ type: 'set-timer', at: 10_005 }]);
    expect(renewal.handle({ type: 'timer' }, 10_005)).toEqual([
      { type: 'renew', at: 10_005 },
      { type: 'set-timer', at: 20_005 },
    ]);
    expect(renewal.handle({ type: 'stop' }, 12_000)).toEqual([{ type: 'clear-timer' }]);
    expect(renewal.handle({ type: 'timer' }, 20_005)).toEqual([]);
  });
});
