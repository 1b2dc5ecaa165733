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

export class WireError extends MurmurError {
  constructor(message: string) {
    super(ErrorCode.BAD_WIRE, message);
    this.name = 'WireError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

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
    if (this.pos >= this.bytes.length) throw new WireError(`truncated: u8 at ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  u32(): number {
    if (this.remaining < 4) throw new WireError(`truncated: u32 at ${this.pos}`);
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
        if (!Number.isSafeInteger(value)) throw new WireError('varuint out of range');
        return value;
      }
      scale *= 128;
    }
    throw new WireError('varuint longer than 8 bytes');
  }

  /** A varuint that must not exceed `max` (counts, lengths, small enums). */
  boundedUint(max: number, what: string): number {
    const value = this.varUint();
    if (value > max) throw new WireError(`${what} ${value} is over the limit ${max}`);
    return value;
  }

  bytesOf(maxLength: number, what: string): Uint8Array {
    const length = this.varUint();
    if (length > maxLength) throw new WireError(`${what} length ${length} is over the limit ${maxLength}`);
    if (length > this.remaining) throw new WireError(`truncated: ${what} of ${length} bytes, ${this.remaining} left`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** A list count, checked against the bytes left so a huge count cannot allocate. */
  count(minItemBytes: number, max: number, what: string): number {
    const n = this.varUint();
    if (n > max) throw new WireError(`${what} count ${n} is over the limit ${max}`);
    if (n * minItemBytes > this.remaining) throw new WireError(`truncated: ${n} ${what} cannot fit in ${this.remaining} bytes`);
    return n;
  }

  end(): void {
    if (this.pos !== this.bytes.length) throw new WireError(`${this.bytes.length - this.pos} trailing bytes`);
  }

  string(maxBytes: number, what: string): string {
    const raw = this.bytesOf(maxBytes, what);
    // Peer ids are short ASCII: skip the native decoder's call overhead for them.
    if (raw.length <= 32) {
      let text = '';
      for (let i = 0; i < raw.length; i++) {
        const byte = raw[i] as number;
        if (byte >= 0x80) return decodeUtf8(raw, what);
        text += String.fromCharCode(byte);
      }
      return text;
    }
    return decodeUtf8(raw, what);
  }
}

function decodeUtf8(raw: Uint8Array, what: string): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new WireError(`${what} is not valid UTF-8`);
  }
}
