/**
 * Data-channel framing. Chrome drops messages over 256 KiB and Firefox↔Chrome
 * interop wants 16 KiB, so every engine frame is cut into pieces of at most
 * MAX_PIECE_BYTES. The channel is reliable and ordered, so a one-byte header
 * is enough:
 *
 *   piece = flag:u8 bytes      flag 0 = last (or only) piece of a frame
 *                              flag 1 = more pieces of this frame follow
 */
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';

export const MAX_PIECE_BYTES = 16 * 1024;
const HEADER = 1;
const LAST = 0;
const MORE = 1;

export function splitFrame(frame: Uint8Array, maxPiece: number = MAX_PIECE_BYTES): Uint8Array[] {
  const room = maxPiece - HEADER;
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset === 0 || offset < frame.length; offset += room) {
    const body = frame.subarray(offset, offset + room);
    const piece = new Uint8Array(HEADER + body.length);
    piece[0] = offset + room >= frame.length ? LAST : MORE;
    piece.set(body, HEADER);
    pieces.push(piece);
  }
  return pieces;
}

/** Joins pieces back into frames; one per link. */
export class Reassembler {
  private readonly maxFrameBytes: number;
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Feed one received piece; returns the completed frame, or null while more
   * are due. Throws a MurmurError(BAD_WIRE) for a bad flag or an oversized
   * frame, after resetting, so the caller can count it and carry on.
   */
  push(piece: Uint8Array): Uint8Array | null {
    const flag = piece[0];
    if (piece.length < HEADER || (flag !== LAST && flag !== MORE)) {
      this.reset();
      throw new MurmurError(ErrorCode.BAD_WIRE, `data-channel piece has flag ${String(flag)}; expected 0 or 1`);
    }
    const body = piece.subarray(HEADER);
    if (this.size + body.length > this.maxFrameBytes) {
      this.reset();
      throw new MurmurError(ErrorCode.BAD_WIRE, `frame grows past ${this.maxFrameBytes} bytes; dropped`);
    }
    if (flag === LAST && this.parts.length === 0) return body;
    this.parts.push(body);
    this.size += body.length;
    if (flag === MORE) return null;
    const frame = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      frame.set(part, offset);
      offset += part.length;
    }
    this.reset();
    return frame;
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}
