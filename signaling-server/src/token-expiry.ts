/**
 * Expiry enforced on open sockets: a token's `expiresAt` ends relaying at that
 * moment, not only new joins. One timer serves every socket: they wait in a
 * binary heap ordered by expiry, and the timer is set for the earliest. A
 * setTimeout per socket cost ~750 bytes each (the Timeout, its closures and
 * their contexts); a heap slot and an index field cost 16. setTimeout holds at
 * most ~24.8 days, so a later expiry re-arms until it is due.
 */
const MAX_TIMER_MS = 2_147_483_647;

export interface Expiring {
  /** Where the item sits in its queue's heap; -1 while it is in none. */
  expiryIndex: number;
}

export class ExpiryQueue<T extends Expiring> {
  private readonly heap: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the timer fires (ms since epoch); Infinity while there is none. */
  private timerAt = Infinity;
  private readonly expiresAt: (item: T) => number;
  private readonly onExpired: (item: T) => void;
  private readonly now: () => number;

  /** `expiresAt(item)` in ms since epoch must not change while the item is queued. */
  constructor(expiresAt: (item: T) => number, onExpired: (item: T) => void, now: () => number = Date.now) {
    this.expiresAt = expiresAt;
    this.onExpired = onExpired;
    this.now = now;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Queue `item` for its expiry; one that never expires (Infinity) is not queued. */
  add(item: T): void {
    if (item.expiryIndex >= 0 || !Number.isFinite(this.expiresAt(item))) return;
    item.expiryIndex = this.heap.length;
    this.heap.push(item);
    this.siftUp(item.expiryIndex);
    this.schedule();
  }

  /** Take `item` out (its socket closed first); a no-op for one not queued. */
  remove(item: T): void {
    const index = item.expiryIndex;
    if (index < 0 || this.heap[index] !== item) return;
    item.expiryIndex = -1;
    const last = this.heap.pop() as T;
    if (index < this.heap.length) {
      this.heap[index] = last;
      last.expiryIndex = index;
      this.siftDown(index);
      this.siftUp(last.expiryIndex);
    }
    // A timer set for an earlier item than the new first fires early and re-arms: harmless.
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    for (const item of this.heap) item.expiryIndex = -1;
    this.heap.length = 0;
  }

  private schedule(): void {
    const first = this.heap[0];
    if (first === undefined) return;
    const due = this.expiresAt(first);
    if (this.timer !== undefined && this.timerAt <= due) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const delay = Math.min(Math.max(0, due - this.now()), MAX_TIMER_MS);
    this.timerAt = this.now() + delay;
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    for (let first = this.heap[0]; first !== undefined && this.expiresAt(first) <= now; first = this.heap[0]) {
      this.remove(first);
      this.onExpired(first);
    }
    this.schedule();
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    let index = start;
    const item = heap[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as T;
      if (this.expiresAt(parent) <= this.expiresAt(item)) break;
      heap[index] = parent;
      parent.expiryIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.expiryIndex = index;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    let index = start;
    const item = heap[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && this.expiresAt(heap[right] as T) < this.expiresAt(heap[left] as T) ? right : left;
      const smaller = heap[child] as T;
      if (this.expiresAt(smaller) >= this.expiresAt(item)) break;
      heap[index] = smaller;
      smaller.expiryIndex = index;
      index = child;
    }
    heap[index] = item;
    item.expiryIndex = index;
  }
}
