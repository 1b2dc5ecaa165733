import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { fromBase64Url } from '../../shared/src/signaling.js';
import { createIdentity } from './identity.js';
import { MESH_SIGNAL_CONTEXT, decodeMeshSignal, encodeMeshSignal } from './mesh-signal.js';

const ann = createIdentity();
const bob = createIdentity();
const eve = createIdentity();
const route = { room: 'r', from: ann.id, to: bob.id };
const envelope = { sid: 'abc', n: 3, sp: { type: 'offer', sdp: 'v=0\r\n…' } };

describe('mesh signal codec', () => {
  it('round-trips an envelope signed by its origin', () => {
    expect(decodeMeshSignal(encodeMeshSignal(envelope, ann, route), route)).toEqual(envelope);
  });

  it('costs 98 bytes over the JSON', () => {
    const json = new TextEncoder().encode(JSON.stringify(envelope)).length;
    expect(encodeMeshSignal(envelope, ann, route).length - json - 1).toBe(98);
  });

  it.each([
    ['another channel', Uint8Array.of(4, 0x7b, 0x7d)],
    ['empty', new Uint8Array(0)],
    ['unsigned (the old format)', Uint8Array.of(0, 0x7b, 0x7d)],
    ['oversized', new Uint8Array(70_000)],
  ])('rejects %s with BAD_WIRE', (_name, bytes) => {
    expect(() => decodeMeshSignal(bytes, route)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
  });

  it.each([
    ['bad UTF-8', Uint8Array.of(0xff, 0xfe)],
    ['not JSON', Uint8Array.of(0x7b)],
    ['a JSON array', Uint8Array.of(0x5b, 0x5d)],
  ])('rejects a body that is %s, even well signed, with BAD_WIRE', (_name, body) => {
    // Signed by its true origin (a hostile member can sign its own garbage).
    const signed = encoding.createEncoder();
    for (const field of [MESH_SIGNAL_CONTEXT, route.room, route.from, route.to]) encoding.writeVarString(signed, field);
    encoding.writeUint8Array(signed, body);
    const frame = encoding.createEncoder();
    encoding.writeUint8(frame, 0);
    encoding.writeVarUint8Array(frame, fromBase64Url(ann.publicKey)!);
    encoding.writeVarUint8Array(frame, ann.sign(encoding.toUint8Array(signed)));
    encoding.writeUint8Array(frame, body);
    expect(() => decodeMeshSignal(encoding.toUint8Array(frame), route)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_WIRE }));
  });

  it('refuses a forged origin: an offer signed by eve claiming to be from ann', () => {
    const forged = encodeMeshSignal(envelope, eve, route);
    expect(() => decodeMeshSignal(forged, route)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNAL_SIGNATURE, message: expect.stringMatching(/key is not origin/) }));
  });

  it('refuses a signal re-addressed, moved to another room, or altered on the way', () => {
    const genuine = encodeMeshSignal(envelope, ann, route);
    const eveRoute = { ...route, to: eve.id };
    expect(() => decodeMeshSignal(genuine, eveRoute)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNAL_SIGNATURE }));
    expect(() => decodeMeshSignal(genuine, { ...route, room: 'other' })).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNAL_SIGNATURE }));
    const altered = genuine.slice();
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 1;
    expect(() => decodeMeshSignal(altered, route)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_SIGNAL_SIGNATURE }));
  });
});
