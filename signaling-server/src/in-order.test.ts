import { describe, expect, it } from 'vitest';
import { runInOrder, type InOrder, type Task } from './in-order.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

/** A queue as a connection holds one, with `run` and `busy` for the tests. */
function queue(onError: (error: unknown) => void) {
  const state: InOrder = { tail: undefined };
  return {
    run: (task: Task) => runInOrder(state, task, onError),
    get busy() {
      return state.tail !== undefined;
    },
  };
}

describe('InOrder', () => {
  it('runs synchronous tasks at once and never queues them', () => {
    const seen: number[] = [];
    const q = queue(() => {});
    q.run(() => void seen.push(1));
    q.run(() => void seen.push(2));
    expect(seen).toEqual([1, 2]);
    expect(q.busy).toBe(false);
  });

  it('holds later tasks behind an async one, in order', async () => {
    const seen: string[] = [];
    const q = queue(() => {});
    q.run(async () => {
      await tick();
      seen.push('slow');
    });
    q.run(() => void seen.push('sync after'));
    q.run(async () => {
      seen.push('async after');
    });
    expect(seen).toEqual([]);
    expect(q.busy).toBe(true);
    await tick();
    await tick();
    expect(seen).toEqual(['slow', 'sync after', 'async after']);
    expect(q.busy).toBe(false);
  });

  it('reports a throw or a rejection and keeps going', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const q = queue((e) => errors.push(e));
    q.run(() => {
      throw new Error('sync');
    });
    q.run(async () => {
      throw new Error('async');
    });
    q.run(() => void seen.push(3));
    await tick();
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
    expect(seen).toEqual([3]);
  });
});
