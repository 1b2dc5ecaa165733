import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryQueue } from './token-expiry.js';

interface Item {
  id: number;
  expiresAt: number;
  expiryIndex: number;
}

describe('ExpiryQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = () => {
    const expired: Array<{ id: number; at: number }> = [];
    const queue = new ExpiryQueue<Item>((item) => item.expiresAt, (item) => expired.push({ id: item.id, at: Date.now() }));
    return { queue, expired };
  };
  const item = (id: number, inMs: number): Item => ({ id, expiresAt: Date.now() + inMs, expiryIndex: -1 });

  it('expires each item at its own time, in order, with one timer', () => {
    const { queue, expired } = make();
    const start = Date.now();
    for (const [id, inMs] of [[1, 300], [2, 100], [3, 200], [4, 100]] as const) queue.add(item(id, inMs));
    queue.add({ id: 5, expiresAt: Infinity, expiryIndex: -1 });
    expect(queue.size).toBe(4);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired.map((e) => e.id).sort()).toEqual([2, 4]);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual([
      expect.objectContaining({ at: start + 100 }),
      expect.objectContaining({ at: start + 100 }),
      { id: 3, at: start + 200 },
      { id: 1, at: start + 300 },
    ]);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an item removed before its time never expires, and an expiry past setTimeout’s range waits for it', () => {
    const { queue, expired } = make();
    const gone = item(1, 50);
    const far = item(2, 40 * 86_400_000);
    queue.add(gone);
    queue.add(far);
    queue.remove(gone);
    queue.remove(gone);
    vi.advanceTimersByTime(30 * 86_400_000);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(10 * 86_400_000);
    expect(expired.map((e) => e.id)).toEqual([2]);
  });

  it('matches a sorted list through 3,000 random adds, removes and clock steps', () => {
    let seed = 11;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const { queue, expired } = make();
    const live = new Set<Item>();
    for (let i = 0; i < 3000; i++) {
      const r = random();
      if (r < 0.5) {
        const added = item(i, Math.floor(random() * 1000));
        queue.add(added);
        live.add(added);
      } else if (r < 0.7 && live.size > 0) {
        const victim = [...live][Math.floor(random() * live.size)] as Item;
        queue.remove(victim);
        live.delete(victim);
      } else {
        const before = expired.length;
        vi.advanceTimersByTime(Math.floor(random() * 50));
        const now = Date.now();
        const due = [...live].filter((x) => x.expiresAt <= now);
        expect(expired.slice(before).map((e) => e.id).sort((a, b) => a - b)).toEqual(due.map((x) => x.id).sort((a, b) => a - b));
        for (const x of due) live.delete(x);
      }
      expect(queue.size).toBe(live.size);
    }
  });
});
