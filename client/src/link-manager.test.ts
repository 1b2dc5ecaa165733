import { describe, expect, it } from 'vitest';
import { packBatches, splitFrame, unpackBatch } from './framing.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('data-channel batches', () => {
  it('leaves a lone piece as it is (the plain framing.ts format)', () => {
    const [piece] = splitFrame(bytes(10, 7));
    expect(packBatches([piece!])).toEqual([piece]);
    expect(unpackBatch(piece!)).toEqual([piece]);
  });

  it('round-trips many small pieces through as few messages as fit 16 KiB', () => {
    const pieces = Array.from({ length: 300 }, (_, i) => splitFrame(bytes(1 + (i % 200), i % 256))[0]!);
    const messages = packBatches(pieces);
    expect(messages.length).toBeLessThan(5);
    for (const message of messages) expect(message.length).toBeLessThanOrEqual(16 * 1024);
    expect(messages.flatMap((m) => unpackBatch(m))).toEqual(pieces);
  });

  it('sends big pieces alone, in order', () => {
    const pieces = splitFrame(bytes(40_000, 1));
    const small = splitFrame(bytes(5, 2))[0]!;
    const messages = packBatches([small, ...pieces, small]);
    expect(messages.flatMap((m) => unpackBatch(m))).toEqual([small, ...pieces, small]);
    expect(messages.length).toBe(pieces.length + 2);
  });

  it('rejects a truncated batch with BAD_WIRE', () => {
    const [message] = packBatches([splitFrame(bytes(300, 3))[0]!, splitFrame(bytes(3, 4))[0]!]);
    expect(() => unpackBatch(message!.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'MURMUR_BAD_WIRE' }));
    expect(() => unpackBatch(Uint8Array.of(2, 0xff))).toThrow(expect.objectContaining({ code: 'MURMUR_BAD_WIRE' }));
  });
});
