import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import {
  DERIVED_PEER_ID_LENGTH,
  ID_PATTERN,
  SIGNALING_CLOSE_CODES,
  derivePeerId,
  encodeMessage,
  fromBase64Url,
  parseClientMessage,
  parseServerMessage,
  toBase64Url,
} from './signaling.js';

describe('parseClientMessage', () => {
  it.each([
    [{ type: 'join', room: 'lobby', peer: 'p-1' }],
    [{ type: 'leave', room: 'lobby' }],
    [{ type: 'signal', room: 'lobby', to: 'p-2', data: { sdp: 'v=0', type: 'offer' } }],
  ])('round-trips %j', (frame) => {
    const parsed = parseClientMessage(JSON.stringify(frame), false);
    expect(parsed).toEqual({ ok: true, value: frame });
    if (parsed.ok) expect(JSON.parse(encodeMessage(parsed.value))).toEqual(frame);
  });

  it('drops unknown extra fields', () => {
    const parsed = parseClientMessage(JSON.stringify({ type: 'leave', room: 'r', extra: 1 }), false);
    expect(parsed).toEqual({ ok: true, value: { type: 'leave', room: 'r' } });
  });

  it.each<[string, string, boolean, ErrorCode]>([
    ['non-JSON', '{not json', false, ErrorCode.BAD_JSON],
    ['a JSON array', '[1,2]', false, ErrorCode.BAD_FRAME],
    ['a JSON string', '"join"', false, ErrorCode.BAD_FRAME],
    ['null', 'null', false, ErrorCode.BAD_FRAME],
    ['no type', '{"room":"r"}', false, ErrorCode.BAD_FRAME],
    ['numeric type', '{"type":7}', false, ErrorCode.BAD_FRAME],
    ['unknown type', '{"type":"subscribe","topics":[]}', false, ErrorCode.UNKNOWN_TYPE],
    ['join without peer', '{"type":"join","room":"r"}', false, ErrorCode.BAD_FRAME],
    ['join with numeric room', '{"type":"join","room":5,"peer":"a"}', false, ErrorCode.BAD_FRAME],
    ['join with bad characters', '{"type":"join","room":"a b","peer":"a"}', false, ErrorCode.BAD_FRAME],
    ['join with a 65-char id', `{"type":"join","room":"${'r'.repeat(65)}","peer":"a"}`, false, ErrorCode.BAD_FRAME],
    ['signal without data', '{"type":"signal","room":"r","to":"b"}', false, ErrorCode.BAD_FRAME],
    ['signal with string data', '{"type":"signal","room":"r","to":"b","data":"x"}', false, ErrorCode.BAD_FRAME],
    ['binary frame', '', true, ErrorCode.BINARY_FRAME],
  ])('rejects %s with a typed code', (_name, raw, binary, code) => {
    const parsed = parseClientMessage(raw, binary);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe(code);
      expect(parsed.message.length).toBeGreaterThan(5);
    }
  });

  it('rejects an oversized frame before parsing it', () => {
    const raw = JSON.stringify({ type: 'signal', room: 'r', to: 'b', data: { sdp: 'x'.repeat(2000) } });
    const parsed = parseClientMessage(raw, false, 1024);
    expect(parsed).toMatchObject({ ok: false, code: ErrorCode.FRAME_TOO_LARGE });
  });

  it('counts multi-byte characters as UTF-8 bytes', () => {
    const raw = JSON.stringify({ type: 'signal', room: 'r', to: 'b', data: { s: 'é'.repeat(400) } });
    expect(parseClientMessage(raw, false, 600).ok).toBe(false);
    expect(parseClientMessage(raw, false, 1000).ok).toBe(true);
  });

  it('never throws on random garbage', () => {
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const text = String.fromCharCode(...Array.from({ length: next() % 40 }, () => next() % 128));
      expect(() => parseClientMessage(text, false)).not.toThrow();
    }
  });
});

describe('parseServerMessage', () => {
  it.each([
    [{ type: 'joined', room: 'r', peer: 'a', peers: ['b', 'c'] }],
    [{ type: 'peer-joined', room: 'r', peer: 'b' }],
    [{ type: 'peer-left', room: 'r', peer: 'b' }],
    [{ type: 'signal', room: 'r', from: 'b', data: { candidate: 'x' } }],
    [{ type: 'error', code: ErrorCode.UNKNOWN_TARGET, message: 'no peer', ref: 'signal' }],
  ])('round-trips %j', (frame) => {
    expect(parseServerMessage(encodeMessage(frame as never))).toEqual({ ok: true, value: frame });
  });

  it('rejects a joined frame with bad peer ids', () => {
    expect(parseServerMessage('{"type":"joined","room":"r","peer":"a","peers":[1]}').ok).toBe(false);
    expect(parseServerMessage('nope').ok).toBe(false);
  });
});

describe('self-certifying ids (issue 13)', () => {
  it('base64url round-trips every length and refuses non-canonical text', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(fromBase64Url('a')).toBeUndefined();
    expect(fromBase64Url('ab+/')).toBeUndefined();
    expect(fromBase64Url('AB')).toBeUndefined(); // leftover bits not zero
    expect(fromBase64Url('AA')).toEqual(new Uint8Array([0]));
  });

  it('derives a 22-character id (128 bits of SHA-256) that fits ID_PATTERN and the engine limit', () => {
    const id = derivePeerId(new Uint8Array(32));
    expect(id).toHaveLength(DERIVED_PEER_ID_LENGTH);
    expect(id).toBe('Zmh6rfhivXdsj8GLjp-OIA'); // SHA-256 of 32 zero bytes: 66687aadf862bd776c8fc18b8e9f8e20…
    expect(ID_PATTERN.test(id)).toBe(true);
    expect(derivePeerId(new Uint8Array(32).fill(1))).not.toBe(id);
  });

  it('parses a keyed join and a challenge; refuses half a proof or wrong sizes', () => {
    const key = toBase64Url(new Uint8Array(32).fill(7));
    const sig = toBase64Url(new Uint8Array(64).fill(9));
    const join = { type: 'join', room: 'r', peer: 'p', key, sig };
    expect(parseClientMessage(JSON.stringify(join), false)).toEqual({ ok: true, value: join });
    expect(parseClientMessage(JSON.stringify({ ...join, sig: undefined }), false)).toMatchObject({ ok: false, code: ErrorCode.BAD_FRAME });
    expect(parseClientMessage(JSON.stringify({ ...join, key: key.slice(1) }), false)).toMatchObject({ ok: false, code: ErrorCode.BAD_FRAME });
    expect(parseClientMessage(JSON.stringify({ ...join, sig: 42 }), false)).toMatchObject({ ok: false, code: ErrorCode.BAD_FRAME });
    const nonce = toBase64Url(new Uint8Array(16).fill(3));
    expect(parseServerMessage(JSON.stringify({ type: 'challenge', nonce }))).toEqual({ ok: true, value: { type: 'challenge', nonce } });
    expect(parseServerMessage(JSON.stringify({ type: 'challenge', nonce: 'x' }))).toMatchObject({ ok: false, code: ErrorCode.BAD_FRAME });
  });

  it('lists 4408 and 4409 beside the other close codes', () => {
    expect(SIGNALING_CLOSE_CODES.JOIN_TIMEOUT).toBe(4408);
    expect(SIGNALING_CLOSE_CODES.TOO_MANY_CONNECTIONS).toBe(4409);
  });
});
