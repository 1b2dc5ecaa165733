/**
 * Runs a connection's frame handlers strictly in arrival order while letting
 * synchronous ones run at once. Standalone, every handler is synchronous and
 * costs no promise; with Redis a join awaits a claim, and the frames behind
 * it (say, the first signal) must wait for it rather than overtake it.
 *
 * The queue's only state is its tail, a field of the connection (no object
 * per connection): `runInOrder(conn, task, onError)`.
 */
export type Task = () => void | Promise<void>;

export interface InOrder {
  /** The last async task queued; undefined while none is running or queued. */
  tail: Promise<void> | undefined;
}

export function runInOrder(queue: InOrder, task: Task, onError: (error: unknown) => void): void {
  if (queue.tail) {
    track(queue, queue.tail.then(() => guard(task, onError)), onError);
    return;
  }
  const result = guard(task, onError);
  if (result) track(queue, result, onError);
}

/** A throwing or rejecting task costs that task, never the ones behind it. */
function guard(task: Task, onError: (error: unknown) => void): Promise<void> | undefined {
  try {
    const result = task();
    return result ? result.catch(onError) : undefined;
  } catch (error) {
    onError(error);
    return undefined;
  }
}

function track(queue: InOrder, promise: Promise<void>, onError: (error: unknown) => void): void {
  const next = promise.catch(onError);
  queue.tail = next;
  void next.then(() => {
    if (queue.tail === next) queue.tail = undefined;
  });
}
