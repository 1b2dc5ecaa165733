import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { Channel, decodeFrame, encodeFrame, type ChannelFrame } from './channel-codec.js';

const frames: ChannelFrame[] = [
  { channel: Channel.DOC_UPDATE, update: Uint8Array.of(1, 2, 3) },
  { channel: Channel.SYNC_STEP1, stateVector: Uint8Array.of(0), mode: 'exchange' },
  { channel: Channel.SYNC_STEP1, stateVector: new Uint8Array(0), mode: 'pull' },
  { channel: Channel.SYNC_STEP1, stateVector: Uint8Array.of(0), mode: 'announce' },
  { channel: Channel.SYNC_STEP1, stateVector: Uint8Array.of(0), mode: 'answer' },
  { channel: Channel.SYNC_STEP2, update: new Uint8Array(300).fill(7) },
  { channel: Channel.MESSAGE, topic: 'chat', data: { text: 'héllo', n: [1, null, true] } },
  { channel: Channel.MESSAGE, topic: 'blob', data: Uint8Array.of(9, 8) },
  { channel: Channel.MESSAGE, topic: 't', data: null },
];

describe('channel codec', () => {
  it.each(frames.map((frame) => [frame.channel, frame] as const))('round-trips channel %i', (_channel, frame) => {
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
  });

  it('refuses trailing bytes, as the engine wire does', () => {
    const bytes = encodeFrame({ channel: Channel.DOC_UPDATE, update: Uint8Array.of(1) });
    expect(() => decodeFrame(Uint8Array.of(...bytes, 1, 2))).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE, reason: 'trailing-bytes' }));
  });

  it('skips the retired PING and PONG channels, whatever their body', () => {
    expect(decodeFrame(Uint8Array.of(5, 0, 0, 0, 0, 0, 0, 0, 0))).toEqual({ channel: 'reserved', number: 5 });
    expect(decodeFrame(Uint8Array.of(6))).toEqual({ channel: 'reserved', number: 6 });
  });

  it('rejects every truncation of every frame with MURMUR_BAD_WIRE', () => {
    for (const frame of frames) {
      const bytes = encodeFrame(frame);
      for (let cut = 0; cut < bytes.length; cut += 1) {
        let result: unknown;
        try {
          result = decodeFrame(bytes.subarray(0, cut));
        } catch (error) {
          expect(error).toMatchObject({ code: ErrorCode.BAD_WIRE });
          continue;
        }
        // A cut inside a length-prefixed body is always caught; a shorter valid frame is impossible here.
        throw new Error(`truncated frame ${JSON.stringify(frame)} at ${cut} decoded as ${JSON.stringify(result)}`);
      }
    }
  });

  it('rejects garbage: unknown channel, huge length claims, bad JSON, bad UTF-8, empty topic', () => {
    const cases = [
      Uint8Array.of(99),
      Uint8Array.of(Channel.DOC_UPDATE, 0xff, 0xff, 0xff, 0xff, 0x0f),
      Uint8Array.of(Channel.MESSAGE, 1, 0x61, 0, 2, 0x7b, 0x7b),
      Uint8Array.of(Channel.MESSAGE, 1, 0xff, 0, 1, 0x31),
      Uint8Array.of(Channel.MESSAGE, 0, 0, 1, 0x31),
      Uint8Array.of(Channel.MESSAGE, 1, 0x61, 7, 0),
    ];
    for (const bytes of cases) expect(() => decodeFrame(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
  });
});
