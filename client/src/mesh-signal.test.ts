import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { decodeMeshSignal, encodeMeshSignal } from './mesh-signal.js';

describe('mesh signal codec', () => {
  it('round-trips an envelope', () => {
    const envelope = { sid: 'abc', n: 3, sp: { type: 'offer', sdp: 'v=0\r\n…' } };
    expect(decodeMeshSignal(encodeMeshSignal(envelope))).toEqual(envelope);
  });

  it.each([
    ['another channel', Uint8Array.of(4, 0x7b, 0x7d)],
    ['empty', new Uint8Array(0)],
    ['bad UTF-8', Uint8Array.of(0, 0xff, 0xfe)],
    ['not JSON', Uint8Array.of(0, 0x7b)],
    ['a JSON array', Uint8Array.of(0, 0x5b, 0x5d)],
    ['oversized', new Uint8Array(70_000)],
  ])('rejects %s with BAD_WIRE', (_name, bytes) => {
    expect(() => decodeMeshSignal(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
  });
});
