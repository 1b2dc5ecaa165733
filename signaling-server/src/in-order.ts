/**
 * Runs a connection's frame handlers strictly in arrival order while letting
 * synchronous ones run at once. Standalone, every handler is synchronous and
 * costs no promise; with Redis a join awaits a claim, and the frames behind
 * it (say, the first signal) must wait for it rather than overtake it.
 */
export type Task = () => void | Promise<void>;

export class InOrder {
  private tail: Promise<void> | undefined = undefined;
  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
  }

  /** True while an async task is running or queued. */
  get busy(): boolean {
    return this.tail !== undefined;
  }

  run(task: Task): void {
    if (this.tail) {
      this.track(this.tail.then(() => this.guard(task)));
      return;
    }
    const result = this.guard(task);
    if (result) this.track(result);
  }

  /** A throwing or rejecting task costs that task, never the ones behind it. */
  private guard(task: Task): Promise<void> | undefined {
    try {
      const result = task();
      return result ? result.catch(this.onError) : undefined;
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  private track(promise: Promise<void>): void {
    const next = promise.catch(this.onError);
    this.tail = next;
    void next.then(() => {
      if (this.tail === next) this.tail = undefined;
    });
  }
}
