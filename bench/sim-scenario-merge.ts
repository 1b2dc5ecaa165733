/**
 * Time to merge: from the end of an outage or a partition until all live
 * peers agree on membership, i.e. every live peer holds every other one as
 * alive or suspect. The peers that must agree are those live when the window
 * opens (tabs that open later are still joining, and tabs that leave or crash
 * meanwhile drop out); a departed peer some tab still lists is detection lag,
 * measured elsewhere, not disagreement about who is here.
 *
 * The check is O(N²) member lookups, stopping at the first disagreement, so
 * it runs only inside a window, every `stepMs`, and each check resumes at
 * the peer that disagreed last time (the ones before it agreed then): a
 * merge that takes many steps costs about one full pass, not one per step.
 * Only a full pass with no disagreement closes the window.
 */
import type { PeerId } from '../shared/src/engine/types.js';
import { isLive } from '../shared/src/gossip/membership.js';
import type { Room } from '../shared/src/sim/room.js';

export interface MergeWindow {
  label: string;
  from: number;
  /** Virtual ms from `from` to agreement; undefined if it never came within the window. */
  mergedAfterMs: number | undefined;
  /** The last disagreement seen, for the report: who lacked whom. */
  lastGap: string | undefined;
}

export class MergeTracker {
  private readonly room: Room;
  private readonly stepMs: number;
  private readonly limitMs: number;
  readonly windows: MergeWindow[] = [];

  constructor(room: Room, stepMs: number, limitMs: number) {
    this.room = room;
    this.stepMs = stepMs;
    this.limitMs = limitMs;
  }

  /** Opens a window at `at` (virtual ms). */
  open(label: string, at: number): void {
    const sim = this.room.sim;
    sim.schedule(at, () => {
      const window: MergeWindow = { label, from: sim.now, mergedAfterMs: undefined, lastGap: undefined };
      this.windows.push(window);
      const peers = [...sim.upNodes()];
      let resumeAt = 0;
      const check = (): void => {
        const live = peers.filter((id) => sim.nodes.get(id)?.state === 'up');
        let gap: string | undefined;
        for (let k = 0; k < live.length && gap === undefined; k++) {
          const index = (resumeAt + k) % live.length;
          gap = this.lacks(live[index] as PeerId, live);
          if (gap !== undefined) resumeAt = index;
        }
        if (gap === undefined) {
          window.mergedAfterMs = sim.now - window.from;
          return;
        }
        window.lastGap = gap;
        if (sim.now - window.from + this.stepMs <= this.limitMs) sim.schedule(sim.now + this.stepMs, check);
      };
      check();
    });
  }

  /** The first live peer that lacks another live one, or undefined if all agree. */
  gap(peers: readonly PeerId[]): string | undefined {
    const sim = this.room.sim;
    const live = peers.filter((id) => sim.nodes.get(id)?.state === 'up');
    for (const a of live) {
      const gap = this.lacks(a, live);
      if (gap !== undefined) return gap;
    }
    return undefined;
  }

  /** How `a` disagrees about `peers` (one it does not hold alive or suspect), or undefined. */
  lacks(a: PeerId, peers: readonly PeerId[]): string | undefined {
    const engine = this.room.engine(a);
    for (const b of peers) {
      if (a === b) continue;
      const status = engine.member(b)?.status;
      if (!isLive(status)) return `${a} holds ${b} as ${status ?? 'unknown'}`;
    }
    return undefined;
  }
}
