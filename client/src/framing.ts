/**
 * Data-channel framing. Chrome drops messages over 256 KiB and Firefox↔Chrome
 * interop wants 16 KiB, so every engine frame is cut into pieces of at most
 * MAX_PIECE_BYTES. The channel is reliable and ordered, so a one-byte header
 * is enough:
 *
 *   piece = flag:u8 bytes      flag 0 = last (or only) piece of a frame
 *                              flag 1 = more pieces of this frame follow
 *
 * Small pieces bound for one neighbour within one turn may travel as one
 * data-channel message (link-manager.ts decides when):
 *
 *   batch = 0x02 (len:varuint piece)+      each piece as splitFrame makes it
 */
import * as encoding from 'lib0/encoding';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { Reader, WireError } from '../../shared/src/gossip/wire/reader.js';
import { encodeWith } from '../../shared/src/gossip/wire/scratch-encoder.js';

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

/** First byte of a data-channel message holding several pieces (pieces use 0 and 1). */
const BATCH = 2;
/** Pieces this big go alone: batching saves a message per piece, nothing for big ones. */
const BATCH_PIECE_MAX = 4 * 1024;

/** Bytes a piece takes in a batch: its varuint length (≤ 2 bytes below 16 KiB) and itself. */
const batchCost = (piece: Uint8Array): number => (piece.length < 0x80 ? 1 : 2) + piece.length;

/** Pack pieces into batch messages of at most `maxMessage` bytes each (a lone piece stays as it is). */
export function packBatches(pieces: readonly Uint8Array[], maxMessage: number = MAX_PIECE_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 1;
  const close = () => {
    if (group.length === 1) out.push(group[0]!);
    else if (group.length > 1) {
      const members = group;
      out.push(
        encodeWith((encoder) => {
          encoding.writeUint8(encoder, BATCH);
          for (const piece of members) encoding.writeVarUint8Array(encoder, piece);
        }),
      );
    }
    group = [];
    groupBytes = 1;
  };
  for (const piece of pieces) {
    if (piece.length > BATCH_PIECE_MAX) {
      close();
      out.push(piece);
      continue;
    }
    if (groupBytes + batchCost(piece) > maxMessage) close();
    group.push(piece);
    groupBytes += batchCost(piece);
  }
  close();
  return out;
}

/** The pieces of one received message: itself, or a batch's contents. Throws BAD_WIRE on a truncated batch. */
export function unpackBatch(message: Uint8Array): Uint8Array[] {
  if (message[0] !== BATCH) return [message];
  const reader = new Reader(message);
  reader.pos = 1;
  const pieces: Uint8Array[] = [];
  while (reader.remaining > 0) {
    const piece = reader.bytesOf(MAX_PIECE_BYTES, 'batch piece');
    if (piece.length === 0) throw new WireError('invalid', 'batch piece of 0 bytes');
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
