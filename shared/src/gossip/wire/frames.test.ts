import { describe, expect, it } from 'vitest';
import { ErrorCode, MurmurError } from '../../errors.js';
import { createPrng } from '../../prng.js';
import { BodyKind, decodeGossipBody, encodeGossipBody, RESERVED_BODY_KINDS, type GossipBody } from './gossip-body.js';
import { decodeFrame, encodeFrame, encodeGossipFrame, FrameType, RESERVED_FRAME_TYPES, UNSIGNED, type Frame } from './frames.js';
import { DEFAULT_WIRE_LIMITS } from './limits.js';
import { WireError, type WireReason } from './reader.js';

const limits = DEFAULT_WIRE_LIMITS;

const bodies: GossipBody[] = [
  { kind: 'alive', incarnation: 0 },
  { kind: 'alive', incarnation: 1_764_000_000 },
  { kind: 'suspect', peer: 'peer-β', incarnation: 3 },
  { kind: 'suspect', peer: 'peer-β', incarnation: 4, hearsay: true },
  { kind: 'dead', peer: 'x', incarnation: 2 ** 32 - 1 },
  { kind: 'left', incarnation: 9, key: new Uint8Array(32).fill(5), signature: new Uint8Array(64).fill(6) },
  { kind: 'presence', version: 12, json: '{"name":"Ada","cursor":{"x":1,"y":2}}', presence: { name: 'Ada', cursor: { x: 1, y: 2 } }, key: new Uint8Array(32).fill(3), signature: new Uint8Array(64).fill(4) },
  { kind: 'data', payload: Uint8Array.of(1, 2, 3, 250), key: new Uint8Array(32).fill(7), signature: new Uint8Array(64).fill(9) },
  { kind: 'data', payload: new Uint8Array(0), key: new Uint8Array(32), signature: new Uint8Array(64) },
  { kind: 'routed', from: 'a', to: 'b', payload: Uint8Array.of(7) },
];

const frames: Frame[] = [
  { type: 'hello', version: 1, intent: 'join', incarnation: 0 },
  { type: 'hello', version: 1, intent: 'low', incarnation: 77 },
  { type: 'welcome', incarnation: 5 },
  { type: 'refuse', peers: ['a', 'b', 'ç'] },
  { type: 'refuse', peers: [] },
  { type: 'disconnect' },
  { type: 'forward-join', peer: 'newbie', ttl: 4 },
  { type: 'shuffle', peers: ['x', 'y'] },
  { type: 'shuffle-reply', peers: ['z'] },
  { type: 'ping', seq: 1, suspected: false, digest: [] },
  { type: 'ping', seq: 300, suspected: true, digest: [0, 0xffffffff, 12345, 1] },
  { type: 'ack', seq: 2 ** 31 },
  { type: 'ping', seq: 5, suspected: false, digest: [7], tree: { seq: 3, root: 'r', distance: 2, parent: 'q' } },
  { type: 'ack', seq: 6, tree: { seq: 4, root: 'r', distance: 0, parent: '' } },
  ...bodies.map((body, i): Frame => ({ type: 'gossip', origin: `o${i}`, seq: i + 1, round: i, body, bodyBytes: encodeGossipBody(body) })),
  { type: 'ihave', entries: [{ origin: 'a', seq: 1, round: 2 }, { origin: 'b', seq: 99, round: 0 }] },
  { type: 'graft', entries: [{ origin: 'a', seq: 1 }] },
  { type: 'tree', seq: 7, root: 'a', distance: 3, parent: 'b', neighbors: ['b', 'c'] },
  { type: 'tree', seq: 0, root: 'a', distance: 0, parent: '', neighbors: [] },
  { type: 'got', entries: [{ origin: 'a', seq: 1 }, { origin: 'b', seq: 2 }] },
  { type: 'digest', hashes: [1, 2, 3, 4, 5, 6, 7, 8] },
  {
    type: 'records',
    bucketCount: 16,
    buckets: [0, 15],
    wantBack: true,
    records: [
      { peer: 'p1', incarnation: 2, status: 'suspect', presenceVersion: 4, presenceJson: '{"a":1}', presence: { a: 1 }, presenceKey: new Uint8Array(32).fill(1), presenceSignature: new Uint8Array(64).fill(2), leftKey: UNSIGNED, leftSignature: UNSIGNED },
      { peer: 'p2', incarnation: 0, status: 'left', presenceVersion: 0, presenceJson: '{}', presence: {}, presenceKey: UNSIGNED, presenceSignature: UNSIGNED, leftKey: new Uint8Array(32).fill(3), leftSignature: new Uint8Array(64).fill(4) },
      { peer: 'p3', incarnation: 7, status: 'left', presenceVersion: 2, presenceJson: '{}', presence: {}, presenceKey: new Uint8Array(32).fill(5), presenceSignature: new Uint8Array(64).fill(6), leftKey: new Uint8Array(32).fill(7), leftSignature: new Uint8Array(64).fill(8) },
    ],
  },
  { type: 'route', origin: 'a', to: 'b', ttl: 16, content: { kind: 'app', payload: Uint8Array.of(9, 9) } },
  { type: 'route', origin: 'a', to: 'b', ttl: 1, content: { kind: 'ping', seq: 4 } },
  { type: 'route', origin: 'a', to: 'b', ttl: 255, content: { kind: 'ack', seq: 4 } },
];

function normalise(value: Frame | GossipBody): unknown {
  return JSON.parse(JSON.stringify(value, (_key, value: unknown) => (value instanceof Uint8Array ? [...value] : value)));
}

describe('gossip frames', () => {
  it.each(frames.map((frame) => [frame.type, frame] as const))('round-trips %s', (_type, frame) => {
    const bytes = encodeFrame(frame);
    expect(normalise(decodeFrame(bytes, limits))).toEqual(normalise(frame));
  });

  it.each(bodies.map((body) => [body.kind, body] as const))('round-trips gossip body %s', (_kind, body) => {
    expect(normalise(decodeGossipBody(encodeGossipBody(body), limits))).toEqual(normalise(body));
  });

  it('forwards a gossip body byte for byte', () => {
    const bodyBytes = encodeGossipBody(bodies[5] as GossipBody);
    const frame = decodeFrame(encodeGossipFrame('o', 1, 3, bodyBytes), limits);
    expect(frame.type === 'gossip' && [...frame.bodyBytes]).toEqual([...bodyBytes]);
  });

  it('rejects every truncation of every frame with a typed error', () => {
    for (const frame of frames) {
      const bytes = encodeFrame(frame);
      for (let cut = 0; cut < bytes.length; cut++) {
        let error: unknown;
        try {
          decodeFrame(bytes.subarray(0, cut), limits);
        } catch (caught) {
          error = caught;
        }
        expect(error, `${frame.type} cut at ${cut}`).toBeInstanceOf(WireError);
        expect((error as WireError).code).toBe(ErrorCode.BAD_WIRE);
      }
    }
  });

  it('rejects trailing bytes, unknown types and out-of-range fields, each with its reason', () => {
    const cases: Array<[Uint8Array, WireReason]> = [
      [Uint8Array.of(...encodeFrame({ type: 'disconnect' }), 0), 'trailing-bytes'],
      [Uint8Array.of(0), 'unknown-type'],
      [Uint8Array.of(200), 'unknown-type'],
      [Uint8Array.of(FrameType.HELLO, 1, 9, 0), 'unknown-type'], // unknown intent
      [Uint8Array.of(FrameType.PING, 1, 8), 'unknown-type'], // unknown flags
      [Uint8Array.of(FrameType.ACK, 1, 1), 'unknown-type'], // unknown flags
      [Uint8Array.of(FrameType.DIGEST, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'invalid'], // not a power of two
      [Uint8Array.of(FrameType.REFUSE, 0xff, 0xff, 0xff, 0xff, 0x0f), 'over-limit'], // huge count, no bytes
      [Uint8Array.of(FrameType.REFUSE, 3, 1, 0x61), 'truncated'], // three peers, one there
      [Uint8Array.of(FrameType.ACK, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), 'over-limit'], // varuint too long
      [Uint8Array.of(FrameType.FORWARD_JOIN, 1, 0x61, 99), 'over-limit'], // ttl over limit
      [Uint8Array.of(FrameType.WELCOME, 0x80, 0x80, 0x80, 0x80, 0x10), 'over-limit'], // incarnation 2^32, one above MAX_COUNTER
      [Uint8Array.of(FrameType.HELLO, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x10), 'over-limit'], // the same in a HELLO
      [Uint8Array.of(FrameType.GOSSIP, 1, 0x61, 1, 0, BodyKind.PRESENCE, 0x80, 0x80, 0x80, 0x80, 0x10, 2, 0x7b, 0x7d), 'over-limit'], // presence version 2^32
      [Uint8Array.of(FrameType.GOSSIP, 1, 0x61, 1, 0, RESERVED_BODY_KINDS.UNSIGNED_PRESENCE, 1, 2, 0x7b, 0x7d), 'unknown-type'], // the retired unsigned presence
      [Uint8Array.of(FrameType.SHUFFLE, 1, 2, 0xc3, 0x28), 'bad-utf8'],
      [Uint8Array.of(FrameType.GOSSIP, 1, 0x61, 1, 0, BodyKind.PRESENCE, 0, 2, 0x5b, 0x5d), 'invalid'], // presence not an object
    ];
    for (const [bytes, reason] of cases) {
      let error: unknown;
      try {
        decodeFrame(bytes, limits);
      } catch (caught) {
        error = caught;
      }
      expect(error, `bytes ${[...bytes]}`).toBeInstanceOf(WireError);
      expect((error as WireError).reason, `bytes ${[...bytes]}`).toBe(reason);
    }
  });

  it('skips a retired frame number, whatever body it carries, and never encodes one', () => {
    for (const [name, number] of Object.entries(RESERVED_FRAME_TYPES)) {
      expect(decodeFrame(Uint8Array.of(number), limits), name).toEqual({ type: 'reserved', number });
      expect(decodeFrame(Uint8Array.of(number, 1, 2, 3), limits), name).toEqual({ type: 'reserved', number });
      expect(() => encodeFrame({ type: 'reserved', number })).toThrow(MurmurError);
    }
  });

  it('bounds lengths before allocating', () => {
    const small = { ...limits, maxPeerIdBytes: 4, maxPresenceBytes: 8, maxPayloadBytes: 2 };
    expect(() => decodeFrame(encodeFrame({ type: 'forward-join', peer: 'toolong', ttl: 1 }), small)).toThrow(/over the limit/);
    const presence = encodeGossipBody({ kind: 'presence', version: 1, json: '{"name":"long"}', presence: { name: 'long' }, key: new Uint8Array(32), signature: new Uint8Array(64) });
    expect(() => decodeFrame(encodeGossipFrame('o', 1, 1, presence), small)).toThrow(/over the limit/);
    expect(() => decodeFrame(encodeGossipFrame('o', 1, 1, encodeGossipBody({ kind: 'data', payload: Uint8Array.of(1, 2, 3), key: new Uint8Array(32), signature: new Uint8Array(64) })), small)).toThrow(/over the limit/);
  });

  it('never throws anything but WireError on random bytes', () => {
    const rng = createPrng(42);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(1 + rng.int(40));
      for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256);
      if (i % 2 === 0) bytes[0] = 1 + rng.int(19); // aim at real frame types
      try {
        decodeFrame(bytes, limits);
      } catch (error) {
        expect(error).toBeInstanceOf(WireError);
      }
    }
  });
});
