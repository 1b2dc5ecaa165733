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

/**
 * Work a driver does before the engine sees an input (the client: checking a
 * received frame's signatures, verify-ahead.ts; signing a presence,
 * sign-ahead.ts); undefined when there is nothing to wait for.
 */
export type AheadHook = (input: EngineInput) => Promise<void> | undefined;

/** Inputs of one link share a lane (keyed by the peer id); everything else, the app's lane. */
const APP_LANE = '';

export class EngineDriver {
  private readonly engine: Engine;
  private readonly now: () => number;
  private readonly onOutput: (output: AppOutput) => void;
  private readonly ahead: AheadHook | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private depth = 0;
  private readonly queue: EngineInput[] = [];
  /**
   * Per lane, what arrived behind an input still being prepared: a link's
   * frames reach the engine in the order they came, and the app's commands
   * and timers in theirs. Other lanes do not wait.
   */
  private readonly waiting = new Map<string, EngineInput[]>();
  private stopped = false;

  constructor(engine: Engine, now: () => number, onOutput: (output: AppOutput) => void, ahead?: AheadHook) {
    this.engine = engine;
    this.now = now;
    this.onOutput = onOutput;
    this.ahead = ahead;
  }

  /**
   * Feed one input. Inputs raised while outputs are being handled (a send
   * that fails and closes a link, say) queue behind the current one, so the
   * engine never sees re-entrant calls. An input with work to do ahead
   * waits for it, and its lane's later inputs behind it.
   */
  input(input: EngineInput): void {
    if (input.type === 'leave') {
      // A goodbye goes out now, after whatever the app asked before it (signed by the engine's fallback):
      // the room stops the driver right after.
      const behind = this.waiting.get(APP_LANE) ?? [];
      this.waiting.delete(APP_LANE);
      for (const earlier of behind) this.feed(earlier);
      this.feed(input);
      return;
    }
    if (this.ahead && !this.stopped) {
      const lane = laneOf(input);
      const behind = this.waiting.get(lane);
      if (behind) {
        behind.push(input);
        return;
      }
      if (this.holds(lane, input)) return;
    }
    this.feed(input);
  }

  /** Starts an input's work ahead; true if its lane now waits for it. */
  private holds(lane: string, input: EngineInput): boolean {
    const pending = this.ahead?.(input);
    if (pending === undefined) return false;
    this.waiting.set(lane, [input]);
    void pending.then(() => this.release(lane));
    return true;
  }

  /** The lane's head is ready: feed it, then what came behind it, until one must wait again. */
  private release(lane: string): void {
    const behind = this.waiting.get(lane);
    this.waiting.delete(lane);
    if (this.stopped || !behind) return;
    const [head, ...rest] = behind as [EngineInput, ...EngineInput[]];
    this.feed(head);
    for (let i = 0; i < rest.length; i++) {
      const next = rest[i] as EngineInput;
      if (this.holds(lane, next)) {
        (this.waiting.get(lane) as EngineInput[]).push(...rest.slice(i + 1));
        return;
      }
      this.feed(next);
    }
  }

  private feed(input: EngineInput): void {
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
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.waiting.clear();
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

function laneOf(input: EngineInput): string {
  if (input.type === 'receive') return input.from;
  if (input.type === 'link-up' || input.type === 'link-down') return input.peer;
  return APP_LANE;
}
