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

export type ServerPhase = 'up' | 'down';

export interface TrafficRow {
  /** 'up' while at least one signaling server was up at the send, else 'down'. */
  server: ServerPhase;
  /** Frame type name (PROTOCOL.md), GOSSIP as `GOSSIP/<body kind>`. */
  frame: string;
  frames: number;
  bytes: number;
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
  private readonly serverUp: () => boolean;

  constructor(serverUp: () => boolean) {
    this.serverUp = serverUp;
  }

  observer(): SimObserver {
    return {
      onSend: (_from, _to, bytes) => {
        const server: ServerPhase = this.serverUp() ? 'up' : 'down';
        const frame = frameName(bytes);
        const key = `${server} ${frame}`;
        const row = this.counts.get(key) ?? { server, frame, frames: 0, bytes: 0 };
        row.frames += 1;
        row.bytes += bytes.length;
        this.counts.set(key, row);
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
  const names = [...new Set(rows.map((row) => row.frame))];
  const get = (server: ServerPhase, frame: string): TrafficRow | undefined => rows.find((row) => row.server === server && row.frame === frame);
  const total = (server: ServerPhase): number => rows.filter((row) => row.server === server).reduce((sum, row) => sum + row.frames, 0);
  names.sort((a, b) => (get('down', b)?.frames ?? 0) + (get('up', b)?.frames ?? 0) - ((get('down', a)?.frames ?? 0) + (get('up', a)?.frames ?? 0)));
  const table = [
    ['frame', `per min, server up (${upS} s)`, `per min, no server (${downS} s)`],
    ...names.map((name) => [name, perMin(get('up', name)?.frames ?? 0, upS), perMin(get('down', name)?.frames ?? 0, downS)]),
    ['all', perMin(total('up'), upS), perMin(total('down'), downS)],
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((line) => (line[c] as string).length)));
  const format = (line: string[]): string => `| ${line.map((text, c) => (c === 0 ? text.padEnd(widths[c] as number) : text.padStart(widths[c] as number))).join(' | ')} |`;
  return [format(table[0] as string[]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(format)].join('\n');
}
