/**
 * `--frames`: what the measured window sends, by frame type (GOSSIP by body
 * kind) and by whether any signaling server was up at the send. Outages are
 * where the churn scenario's wall time goes (2026-12-08: a 1-minute outage in
 * a calm N=1,000 room sent 2.8× the frames of a minute with the server up);
 * this tells which frames they are without a profiler.
 */
import { BodyKind } from '../shared/src/gossip/wire/gossip-body.js';
import { FrameType } from '../shared/src/gossip/wire/frames.js';
import { peekGossip } from '../shared/src/gossip/wire/peek.js';
import type { SimObserver } from '../shared/src/sim/simulator.js';
import { formatTable } from './signal-stats.js';

export type ServerPhase = 'up' | 'down';

export interface TrafficRow {
  /** 'up' while at least one signaling server was up at the send, else 'down'. */
  server: ServerPhase;
  /** Frame type name (PROTOCOL.md), GOSSIP as `GOSSIP/<body kind>`. */
  frame: string;
  frames: number;
  bytes: number;
  /** GOSSIP only: distinct broadcasts (origin, seq) among those frames; frames / broadcasts is the copies each costs. */
  broadcasts?: number;
}

const FRAME_NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, type]) => [type, name]));
const BODY_NAMES = new Map<number, string>(Object.entries(BodyKind).map(([name, kind]) => [kind, name]));

export function frameName(bytes: Uint8Array): string {
  const gossip = peekGossip(bytes);
  if (gossip) return `GOSSIP/${BODY_NAMES.get(gossip.kind) ?? gossip.kind}`;
  return FRAME_NAMES.get(bytes[0] ?? -1) ?? `type ${bytes[0] ?? 'none'}`;
}

/** Counts every frame sent (delivered or lost) from the moment it is observed. */
export class TrafficTally {
  private readonly counts = new Map<string, TrafficRow>();
  private readonly ids = new Map<string, Set<string>>();
  private readonly serverUp: () => boolean;

  constructor(serverUp: () => boolean) {
    this.serverUp = serverUp;
  }

  observer(): SimObserver {
    return {
      onSend: (_from, _to, bytes) => {
        const server: ServerPhase = this.serverUp() ? 'up' : 'down';
        const gossip = peekGossip(bytes);
        const frame = gossip ? `GOSSIP/${BODY_NAMES.get(gossip.kind) ?? gossip.kind}` : frameName(bytes);
        const key = `${server} ${frame}`;
        const row = this.counts.get(key) ?? { server, frame, frames: 0, bytes: 0 };
        row.frames += 1;
        row.bytes += bytes.length;
        this.counts.set(key, row);
        if (gossip) {
          const ids = this.ids.get(key) ?? new Set<string>();
          ids.add(`${gossip.origin} ${gossip.seq}`);
          this.ids.set(key, ids);
          row.broadcasts = ids.size;
        }
      },
    };
  }

  /** Rows by phase, then most frames first. */
  rows(): TrafficRow[] {
    return [...this.counts.values()].sort((a, b) => (a.server === b.server ? b.frames - a.frames : a.server === 'up' ? -1 : 1));
  }
}

/** Frames per virtual minute of each phase, side by side, most frames first. */
export function formatTraffic(rows: readonly TrafficRow[], upS: number, downS: number): string {
  const perMin = (count: number, seconds: number): string => (seconds > 0 ? Math.round((count * 60) / seconds).toLocaleString('en-US') : '-');
  const byFrame = new Map<string, { up: number; down: number }>();
  for (const row of rows) {
    const entry = byFrame.get(row.frame) ?? { up: 0, down: 0 };
    entry[row.server] += row.frames;
    byFrame.set(row.frame, entry);
  }
  const all = { up: 0, down: 0 };
  for (const { up, down } of byFrame.values()) {
    all.up += up;
    all.down += down;
  }
  const lines = [...byFrame].sort(([, a], [, b]) => b.up + b.down - (a.up + a.down));
  return formatTable(
    ['frame', `per min, server up (${upS} s)`, `per min, no server (${downS} s)`],
    [...lines, ['all', all] as const].map(([frame, { up, down }]) => [frame, perMin(up, upS), perMin(down, downS)]),
  );
}
