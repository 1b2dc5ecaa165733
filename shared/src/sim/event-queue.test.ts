import { describe, expect, it } from 'vitest';
import { createPrng } from '../prng.js';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('pops by time, and equal times in the order they were pushed', () => {
    const rng = createPrng(9);
    const queue = new EventQueue<number>();
    const pushed: Array<{ at: number; id: number }> = [];
    for (let id = 0; id < 2000; id++) {
      // Few distinct times, so ties are common; interleave pops to exercise both paths.
      const at = Math.floor(rng.next() * 50);
      queue.push(at, id);
      pushed.push({ at, id });
      if (id % 7 === 6) {
        const first = pushed.reduce((min, e) => (e.at < min.at || (e.at === min.at && e.id < min.id) ? e : min));
        pushed.splice(pushed.indexOf(first), 1);
        expect(queue.pop()?.item).toBe(first.id);
      }
    }
    const expected = pushed.sort((p, q) => p.at - q.at || p.id - q.id).map((e) => e.id);
    const popped: number[] = [];
    for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) popped.push(entry.item);
    expect(popped).toEqual(expected);
    expect(queue.size).toBe(0);
    expect(queue.peekTime()).toBe(Infinity);
  });

  it('pops what a sorted list would, as a simulator pushes: now, just after, minutes later, never', () => {
    for (const seed of [1, 2, 3]) {
      const rng = createPrng(seed);
      const queue = new EventQueue<number>();
      const pending: Array<{ at: number; id: number }> = [];
      let now = 0;
      let id = 0;
      const push = (at: number): void => {
        queue.push(at, id);
        // Kept sorted: after every entry due no later (ids only grow).
        let i = pending.length;
        while (i > 0 && (pending[i - 1] as { at: number }).at > at) i -= 1;
        pending.splice(i, 0, { at, id });
        id += 1;
      };
      for (let i = 0; i < 200; i++) push(rng.next() * 100);
      push(Infinity);
      for (let step = 0; step < 20_000 && pending.length > 0; step++) {
        const r = rng.next();
        // Same time, fractions of a ms, a latency, seconds, past the ring's horizon (65 s), hours.
        const delay = r < 0.1 ? 0 : r < 0.3 ? rng.next() : r < 0.8 ? 40 + rng.next() * 20 : r < 0.95 ? rng.next() * 20_000 : r < 0.99 ? 60_000 + rng.next() * 200_000 : 3.6e6 * rng.next();
        if (rng.next() < 0.55) push(now + delay);
        if (rng.next() < 0.5) {
          const want = pending.shift() as { at: number; id: number };
          expect(queue.peekTime()).toBe(want.at);
          const got = queue.pop();
          expect(got?.item).toBe(want.id);
          expect(got?.at).toBe(want.at);
          if (Number.isFinite(want.at)) now = want.at;
        }
        expect(queue.size).toBe(pending.length);
      }
      // Idle stretches: the clock jumps over empty buckets to the next far event.
      push(now + 10 * 3.6e6);
      const popped: number[] = [];
      for (let item = queue.take(); item !== undefined; item = queue.take()) popped.push(item);
      expect(popped).toEqual(pending.map((e) => e.id));
    }
  });
});
