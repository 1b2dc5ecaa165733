/**
 * A bounds-checked reader for the gossip wire, the twin of lib0's encoder.
 *
 * lib0's own decoder trusts its input (`readUint8` past the end yields
 * `undefined`, a length prefix of 2^32 allocates before it fails), which is
 * right for a local Yjs store and wrong for bytes from a stranger. Every read
 * here checks the remaining length first and throws a `WireError` with a
 * stable code; the engine turns it into a `malformed` output and drops the
 * frame. Nothing is allocated before its length is known to fit.
 */
import { ErrorCode, MurmurError } from '../../errors.js';
import { fnv1aCodes } from '../maths.js';
import { MAX_COUNTER } from './counter.js';

/**
 * What was wrong with the bytes, one stable reason per defect (as ws gives
 * each its own code): `truncated` (fewer bytes than a field needs),
 * `over-limit` (a length or count above its bound), `unknown-type` (a frame,
 * body, channel or enum number not in the table), `bad-utf8`,
 * `trailing-bytes` (bytes left after a complete frame), `invalid` (a value
 * of the right shape that cannot be: a bucket count not a power of two,
 * presence that is not a JSON object).
 */
export type WireReason = 'truncated' | 'over-limit' | 'unknown-type' | 'bad-utf8' | 'trailing-bytes' | 'invalid';

export class WireError extends MurmurError {
  readonly reason: WireReason;

  constructor(reason: WireReason, message: string) {
    super(ErrorCode.BAD_WIRE, message);
    this.name = 'WireError';
    this.reason = reason;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strings up to this many bytes (peer ids) are read without the native decoder, and interned. */
const SHORT_STRING = 32;
/** Entries kept in the intern table before it starts over. */
const INTERN_LIMIT = 1 << 16;
/**
 * Short ASCII strings already read, by hash of their bytes. A room's frames
 * name the same few peer ids over and over: handing back the string read
 * before allocates nothing, and every Map keyed by peer id then compares one
 * string with itself. A memo, not state: the same bytes read to an equal
 * string whatever the table holds (a hash collision only misses).
 */
const interned = new Map<number, string>();

export class Reader {
  readonly bytes: Uint8Array;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.bytes.length) throw new WireError('truncated', `truncated: u8 at ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  u32(): number {
    if (this.remaining < 4) throw new WireError('truncated', `truncated: u32 at ${this.pos}`);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
  }

  /** lib0 varuint (7 bits a byte, low first); refuses anything above 2^53 - 1. */
  varUint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) throw new WireError('over-limit', 'varuint out of range');
        return value;
      }
      scale *= 128;
    }
    throw new WireError('over-limit', 'varuint longer than 8 bytes');
  }

  /** A varuint that must not exceed `max` (counts, lengths, small enums). */
  boundedUint(max: number, what: string): number {
    const value = this.varUint();
    if (value > max) throw new WireError('over-limit', `${what} ${value} is over the limit ${max}`);
    return value;
  }

  /** An incarnation or presence version: at most MAX_COUNTER (2^32 − 1; see limits.ts). */
  counter(what: string): number {
    return this.boundedUint(MAX_COUNTER, what);
  }

  /** A length prefix, checked against `maxLength` and the bytes left. */
  private lengthOf(maxLength: number, what: string): number {
    const length = this.varUint();
    if (length > maxLength) throw new WireError('over-limit', `${what} length ${length} is over the limit ${maxLength}`);
    if (length > this.remaining) throw new WireError('truncated', `truncated: ${what} of ${length} bytes, ${this.remaining} left`);
    return length;
  }

  bytesOf(maxLength: number, what: string): Uint8Array {
    const length = this.lengthOf(maxLength, what);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** Exactly `length` raw bytes, no prefix (keys, signatures). */
  fixed(length: number, what: string): Uint8Array {
    if (length > this.remaining) throw new WireError('truncated', `truncated: ${what} of ${length} bytes, ${this.remaining} left`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A list count, checked against the bytes left so a huge count cannot allocate. */
  count(minItemBytes: number, max: number, what: string): number {
    const n = this.varUint();
    if (n > max) throw new WireError('over-limit', `${what} count ${n} is over the limit ${max}`);
    if (n * minItemBytes > this.remaining) throw new WireError('truncated', `truncated: ${n} ${what} cannot fit in ${this.remaining} bytes`);
    return n;
  }

  /** Everything left, as UTF-8 text of at most `maxBytes` (a body with no length prefix, like a mesh signal's JSON). */
  rest(maxBytes: number, what: string): string {
    if (this.remaining > maxBytes) throw new WireError('over-limit', `${what} of ${this.remaining} bytes is over the limit ${maxBytes}`);
    const raw = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return decodeUtf8(raw, what);
  }

  end(): void {
    if (this.pos !== this.bytes.length) throw new WireError('trailing-bytes', `${this.bytes.length - this.pos} trailing bytes`);
  }

  string(maxBytes: number, what: string): string {
    const length = this.lengthOf(maxBytes, what);
    const bytes = this.bytes;
    const start = this.pos;
    this.pos += length;
    if (length > SHORT_STRING) return decodeUtf8(bytes.subarray(start, start + length), what);
    // Any non-ASCII byte sends it to the decoder; ASCII bytes are the string's char codes, hashed as fnv1a hashes it.
    for (let i = start; i < start + length; i++) if ((bytes[i] as number) >= 0x80) return decodeUtf8(bytes.subarray(start, start + length), what);
    const hash = fnv1aCodes(bytes, start, start + length);
    const known = interned.get(hash);
    if (known !== undefined && known.length === length) {
      let same = true;
      for (let i = 0; i < length && same; i++) same = known.charCodeAt(i) === bytes[start + i];
      if (same) return known;
    }
    let text = '';
    for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i] as number);
    if (interned.size >= INTERN_LIMIT) interned.clear();
    interned.set(hash, text);
    return text;
  }
}

function decodeUtf8(raw: Uint8Array, what: string): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new WireError('bad-utf8', `${what} is not valid UTF-8`);
  }
}
