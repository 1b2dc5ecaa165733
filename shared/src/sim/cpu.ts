/**
 * The simulator's CPU model: tabs that process their timers and inputs late.
 */
import type { PeerId } from '../engine/types.js';
import type { Prng } from '../prng.js';

/**
 * A starved CPU: every input or timer a node handles costs `eventMs` of its
 * process's time, and with odds `stallOdds` per event the process blocks for
 * up to `stallMs` (a GC pause, a blocking native call such as @roamhq/wrtc's
 * send). Nodes in one `process` (default: each its own) share one thread, so
 * events queue behind each other and timers fire late, as with 60 Node peers
 * in 6 processes on 2 cores.
 */
export interface CpuModel {
  eventMs?: number;
  stallOdds?: number;
  stallMs?: number;
  /** Which process a node runs in; nodes of one process share its thread. */
  process?: (id: PeerId) => string;
}

export class Cpu {
  private readonly model: CpuModel;
  private readonly rng: Prng;
  /** When each process's thread is free again. */
  private readonly free = new Map<string, number>();

  constructor(model: CpuModel, rng: Prng) {
    this.model = model;
    this.rng = rng;
  }

  /** When `id`'s thread is free if it is busy at `now`; otherwise undefined, and the event is charged. */
  busyUntil(id: PeerId, now: number): number | undefined {
    const thread = this.model.process?.(id) ?? id;
    const free = this.free.get(thread) ?? 0;
    if (free > now) return free;
    let cost = this.model.eventMs ?? 0;
    if (this.model.stallOdds !== undefined && this.rng.next() < this.model.stallOdds) cost += this.rng.next() * (this.model.stallMs ?? 0);
    if (cost > 0) this.free.set(thread, now + cost);
    return undefined;
  }
}
