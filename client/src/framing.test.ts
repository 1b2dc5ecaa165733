import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { MAX_PIECE_BYTES, Reassembler, splitFrame } from './framing.js';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);

describe('splitFrame / Reassembler', () => {
  it.each([0, 1, MAX_PIECE_BYTES - 1, MAX_PIECE_BYTES, MAX_PIECE_BYTES + 1, 100_000, 3 * (MAX_PIECE_BYTES - 1)])(
    'round-trips a %i-byte frame in pieces of at most 16 KiB',
    (n) => {
      const frame = bytes(n);
      const pieces = splitFrame(frame);
      for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_PIECE_BYTES);
      expect(pieces).toHaveLength(Math.max(1, Math.ceil(n / (MAX_PIECE_BYTES - 1))));
      const joiner = new Reassembler(1 << 20);
      const out = pieces.map((p) => joiner.push(p));
      expect(out.slice(0, -1).every((x) => x === null)).toBe(true);
      expect(out.at(-1)).toEqual(frame);
    },
  );

  it('keeps consecutive frames apart', () => {
    const joiner = new Reassembler(1 << 20);
    const frames = [bytes(40_000), bytes(3), bytes(20_000)];
    const got = frames.flatMap((f) => splitFrame(f)).map((p) => joiner.push(p)).filter((x) => x !== null);
    expect(got).toEqual(frames);
  });

  it('rejects a bad flag and an oversized frame with BAD_WIRE, then recovers', () => {
    const joiner = new Reassembler(30_000);
    expect(() => joiner.push(Uint8Array.of(7, 1))).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
    expect(() => joiner.push(new Uint8Array(0))).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
    const pieces = splitFrame(bytes(40_000));
    expect(joiner.push(pieces[0]!)).toBeNull();
    expect(() => joiner.push(pieces[1]!)).toThrow(/30000/);
    expect(joiner.push(splitFrame(bytes(5))[0]!)).toEqual(bytes(5));
  });
});
