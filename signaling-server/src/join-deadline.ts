/**
 * The deadline to join: sockets that hold no room are kept in one
 * insertion-ordered map with the time they must have joined by. Every entry
 * has the same timeout, so insertion order is deadline order and one timer,
 * set for the oldest entry, serves them all (no timer per socket).
 */
import { performance } from 'node:perf_hooks';

export class JoinDeadlines<T> {
  private readonly waiting = new Map<T, number>();
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly timeoutMs: number;
  private readonly onExpire: (item: T) => void;

  constructor(timeoutMs: number, onExpire: (item: T) => void) {
    this.timeoutMs = timeoutMs;
    this.onExpire = onExpire;
  }

  /** Start (or restart) `item`'s clock. */
  add(item: T): void {
    this.waiting.delete(item);
    this.waiting.set(item, performance.now() + this.timeoutMs);
    if (this.timer === undefined) this.schedule();
  }

  remove(item: T): void {
    this.waiting.delete(item);
  }

  get size(): number {
    return this.waiting.size;
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.clear();
  }

  private schedule(): void {
    const first = this.waiting.values().next();
    if (first.done === true) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.value - performance.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const [item, deadline] of this.waiting) {
      if (deadline > now) break;
      this.waiting.delete(item);
      this.onExpire(item);
    }
    this.schedule();
  }
}
