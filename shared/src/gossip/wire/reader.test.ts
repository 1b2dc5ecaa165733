import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { Reader, WireError } from './reader.js';

function encodeStrings(...texts: string[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const text of texts) encoding.writeVarString(encoder, text);
  return encoding.toUint8Array(encoder);
}

function readAll(bytes: Uint8Array, count: number, maxBytes = 64): string[] {
  const reader = new Reader(bytes);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(reader.string(maxBytes, 'peer id'));
  reader.end();
  return out;
}

describe('Reader.string', () => {
  it('reads short ASCII ids back exactly, however often and in whatever order they come', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `peer-${(i * 7919).toString(36).padStart(6, '0')}`);
    for (let round = 0; round < 3; round++) {
      const order = round === 1 ? [...ids].reverse() : ids;
      expect(readAll(encodeStrings(...order), order.length)).toEqual(order);
    }
    // Ids that differ in one byte, and the empty string, are never confused.
    expect(readAll(encodeStrings('abcdef', 'abcdeg', '', 'abcdef', 'ABCDEF'), 5)).toEqual(['abcdef', 'abcdeg', '', 'abcdef', 'ABCDEF']);
  });

  it('reads UTF-8 and long strings through the decoder, and rejects what does not fit', () => {
    const long = 'x'.repeat(40);
    expect(readAll(encodeStrings('zoë', long, 'ünïcode-peer'), 3)).toEqual(['zoë', long, 'ünïcode-peer']);
    expect(() => readAll(encodeStrings(long), 1, 39)).toThrow(/peer id length 40 is over the limit 39/);
    expect(() => readAll(encodeStrings('abcdef').subarray(0, 4), 1)).toThrow(/truncated: peer id of 6 bytes, 3 left/);
    expect(() => readAll(new Uint8Array([2, 0xc3, 0x28]), 1)).toThrow(WireError);
  });
});
