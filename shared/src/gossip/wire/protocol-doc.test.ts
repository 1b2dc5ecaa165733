/**
 * PROTOCOL.md is the wire's grammar (y-protocols keeps its PROTOCOL.md beside
 * the code): its frame and body tables must name exactly the numbers the code
 * uses, reserved rows included.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FrameType, RESERVED_FRAME_TYPES } from './frames.js';
import { BodyKind, RESERVED_BODY_KINDS } from './gossip-body.js';

const doc = readFileSync(new URL('../../../PROTOCOL.md', import.meta.url), 'utf8');

/** Rows `| number | NAME | ... |` of the table under `heading`. */
function table(heading: string): Array<{ number: number; name: string; reserved: boolean }> {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`PROTOCOL.md has no "${heading}"`);
  const rows: Array<{ number: number; name: string; reserved: boolean }> = [];
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const match = /^\| (\d+) \| ([A-Z_]+) \|(.*)$/.exec(line);
    if (match) rows.push({ number: Number(match[1]), name: match[2] as string, reserved: /\breserved\b/.test(match[3] as string) });
  }
  return rows;
}

function entries(rows: ReturnType<typeof table>, reserved: boolean): Array<[string, number]> {
  return rows.filter((row) => row.reserved === reserved).map((row) => [row.name, row.number]);
}

const byNumber = (a: [string, number], b: [string, number]): number => a[1] - b[1];

describe('PROTOCOL.md', () => {
  it('frame table matches FrameType, and its reserved rows RESERVED_FRAME_TYPES', () => {
    const rows = table('### Frame types');
    expect(entries(rows, false)).toEqual(Object.entries(FrameType).sort(byNumber));
    expect(entries(rows, true)).toEqual(Object.entries(RESERVED_FRAME_TYPES).sort(byNumber));
  });

  it('gossip body table matches BodyKind, and its reserved rows RESERVED_BODY_KINDS', () => {
    const rows = table('### Gossip bodies');
    expect(entries(rows, false)).toEqual(Object.entries(BodyKind).sort(byNumber));
    expect(entries(rows, true)).toEqual(Object.entries(RESERVED_BODY_KINDS).sort(byNumber));
  });
});
