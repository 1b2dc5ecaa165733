/**
 * Runs a sans-IO engine against real time: turns `set-timer` into
 * setTimeout, hands every other output to the room, and feeds inputs in
 * with the current monotonic time. The simulator is this same loop with a
 * virtual clock.
 */
import type { Engine, EngineInput, EngineOutput } from '../../shared/src/engine/types.js';

/**
 * Node runs due timers before it reads pending I/O: after a stall (a starved
 * CPU, a long GC) a probe's timeout would fire ahead of the ack that is
 * already waiting, and a live peer would be suspected. So in Node a fired
 * timer reaches the engine only after the I/O of this turn (setImmediate);
 * browsers interleave tasks themselves and run it at once.
 */
const afterPendingIo: ((fn: () => void) => void) | null =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : null;

/** What the driver hands on: everything but timers, which it keeps. */
export type AppOutput = Exclude<EngineOutput, { type: 'set-timer' | 'clear-timer' }>;

export class EngineDriver {
  private readonly engine: Engine;
  private readonly now: () => number;
  private readonly onOutput: (output: AppOutput) => void;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private depth = 0;
  private readonly queue: EngineInput[] = [];

  constructor(engine: Engine, now: () => number, onOutput: (output: AppOutput) => void) {
    this.engine = engine;
    this.now = now;
    this.onOutput = onOutput;
  }

  /**
   * Feed one input. Inputs raised while outputs are being handled (a send
   * that fails and closes a link, say) queue behind the current one, so the
   * engine never sees re-entrant calls.
   */
  input(input: EngineInput): void {
    this.queue.push(input);
    if (this.depth > 0) return;
    this.depth += 1;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const output of this.engine.handle(next, this.now())) this.apply(output);
      }
    } finally {
      this.depth -= 1;
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
  }

  private apply(output: EngineOutput): void {
    switch (output.type) {
      case 'set-timer': {
        const previous = this.timers.get(output.timer);
        if (previous) clearTimeout(previous);
        const delay = Math.max(0, output.at - this.now());
        const fire = () => {
          // Re-set or cleared by the I/O handled meanwhile: this firing is stale.
          if (this.timers.get(output.timer) !== handle) return;
          this.timers.delete(output.timer);
          this.input({ type: 'timer', timer: output.timer });
        };
        const handle = setTimeout(() => (afterPendingIo ? afterPendingIo(fire) : fire()), delay);
        this.timers.set(output.timer, handle);
        return;
      }
      case 'clear-timer': {
        const previous = this.timers.get(output.timer);
        if (previous) clearTimeout(previous);
        this.timers.delete(output.timer);
        return;
      }
      default:
        this.onOutput(output);
    }
  }
}
