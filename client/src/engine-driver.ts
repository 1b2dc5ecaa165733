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
 * Checks a received frame's signatures before the engine sees it
 * (verify-ahead.ts); undefined when there is nothing to wait for.
 */
export type VerifyAheadHook = (bytes: Uint8Array) => Promise<void> | undefined;

type LinkInput = Extract<EngineInput, { type: 'receive' | 'link-up' | 'link-down' }>;

export class EngineDriver {
  private readonly engine: Engine;
  private readonly now: () => number;
  private readonly onOutput: (output: AppOutput) => void;
  private readonly verifyAhead: VerifyAheadHook | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private depth = 0;
  private readonly queue: EngineInput[] = [];
  /**
   * Per link, what arrived behind a frame whose signatures are being checked:
   * a link's frames reach the engine in the order they came. Other links,
   * timers and commands do not wait.
   */
  private readonly waiting = new Map<string, LinkInput[]>();
  private stopped = false;

  constructor(engine: Engine, now: () => number, onOutput: (output: AppOutput) => void, verifyAhead?: VerifyAheadHook) {
    this.engine = engine;
    this.now = now;
    this.onOutput = onOutput;
    this.verifyAhead = verifyAhead;
  }

  /**
   * Feed one input. Inputs raised while outputs are being handled (a send
   * that fails and closes a link, say) queue behind the current one, so the
   * engine never sees re-entrant calls. A received frame with signatures to
   * check ahead waits for them, and its link's later inputs behind it.
   */
  input(input: EngineInput): void {
    if (this.verifyAhead && !this.stopped && isLinkInput(input)) {
      const link = linkOf(input);
      const behind = this.waiting.get(link);
      if (behind) {
        behind.push(input);
        return;
      }
      if (this.holds(link, input)) return;
    }
    this.feed(input);
  }

  /** Starts checking a frame's signatures ahead; true if the link now waits for them. */
  private holds(link: string, input: LinkInput): boolean {
    const pending = input.type === 'receive' ? this.verifyAhead?.(input.bytes) : undefined;
    if (pending === undefined) return false;
    this.waiting.set(link, [input]);
    void pending.then(() => this.release(link));
    return true;
  }

  /** The link's head frame is checked: feed it, then what came behind it, until one must wait again. */
  private release(link: string): void {
    const behind = this.waiting.get(link);
    this.waiting.delete(link);
    if (this.stopped || !behind) return;
    const [head, ...rest] = behind as [LinkInput, ...LinkInput[]];
    this.feed(head);
    for (let i = 0; i < rest.length; i++) {
      const next = rest[i] as LinkInput;
      if (this.holds(link, next)) {
        (this.waiting.get(link) as LinkInput[]).push(...rest.slice(i + 1));
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

function isLinkInput(input: EngineInput): input is LinkInput {
  return input.type === 'receive' || input.type === 'link-up' || input.type === 'link-down';
}

function linkOf(input: LinkInput): string {
  return input.type === 'receive' ? input.from : input.peer;
}
