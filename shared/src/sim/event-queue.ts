/**
 * The simulator's clock: a binary min-heap of events ordered by (time,
 * insertion order), so equal-time events run in the order they were
 * scheduled and a run is a pure function of its seed.
 *
 * The heap lives in three parallel arrays (times, sequence numbers, items)
 * rather than an object per entry: a 1,000-peer run pushes millions of
 * events, and the allocation and pointer chasing showed in profiles.
 */
export interface Scheduled<T> {
  at: number;
  seq: number;
  item: T;
}

export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private seq = 0;

  get size(): number {
    return this.times.length;
  }

  push(at: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    const seq = this.seq++;
    let i = times.length;
    times.push(at);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentAt = times[parent] as number;
      if (parentAt < at || (parentAt === at && (seqs[parent] as number) < seq)) break;
      times[i] = parentAt;
      seqs[i] = seqs[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    times[i] = at;
    seqs[i] = seq;
    items[i] = item;
  }

  peekTime(): number {
    return this.times.length === 0 ? Infinity : (this.times[0] as number);
  }

  pop(): Scheduled<T> | undefined {
    if (this.times.length === 0) return undefined;
    const top: Scheduled<T> = { at: this.times[0] as number, seq: this.seqs[0] as number, item: this.items[0] as T };
    this.take();
    return top;
  }

  /** Removes the earliest entry and returns its item (pop() without building the entry: the simulator's loop). */
  take(): T | undefined {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    if (times.length === 0) return undefined;
    const top = items[0] as T;
    const lastAt = times.pop() as number;
    const lastSeq = seqs.pop() as number;
    const lastItem = items.pop() as T;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n) {
          const rightAt = times[right] as number;
          const leftAt = times[left] as number;
          if (rightAt < leftAt || (rightAt === leftAt && (seqs[right] as number) < (seqs[left] as number))) child = right;
        }
        const childAt = times[child] as number;
        if (childAt > lastAt || (childAt === lastAt && (seqs[child] as number) > lastSeq)) break;
        times[i] = childAt;
        seqs[i] = seqs[child] as number;
        items[i] = items[child] as T;
        i = child;
      }
      times[i] = lastAt;
      seqs[i] = lastSeq;
      items[i] = lastItem;
    }
    return top;
  }
}
