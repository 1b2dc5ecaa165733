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
});
