/**
 * Cutting an encoded adapter message into room messages (each at most
 * PART_BYTES; the room caps one at 128 KiB) and putting it back together.
 * Pieces may arrive out of order (routed over different paths); a peer may
 * have at most MAX_OPEN_PER_PEER messages half-received, the oldest is dropped.
 */
import type { PeerId as MurmurPeerId } from '../../../shared/src/engine/types.js';
import { MAX_PARTS, encodeFrame, type AdapterFrame } from './frames.js';

/** Bytes of message per piece: well under the room's 128 KiB per message, CBOR framing included. */
export const PART_BYTES = 64 * 1024;
const MAX_OPEN_PER_PEER = 8;

type Part = Extract<AdapterFrame, { k: 'part' }>;

/** The encoded message itself when it fits in one piece, else its encoded pieces. */
export function splitMessage(bytes: Uint8Array, nextId: () => number): Uint8Array[] {
  if (bytes.byteLength <= PART_BYTES) return [bytes];
  const n = Math.ceil(bytes.byteLength / PART_BYTES);
  if (n > MAX_PARTS) throw new Error(`automerge message of ${bytes.byteLength} bytes is over ${MAX_PARTS * PART_BYTES}`);
  const id = nextId() % 2 ** 32;
  return Array.from({ length: n }, (_, i) => encodeFrame({ k: 'part', id, i, n, b: bytes.subarray(i * PART_BYTES, (i + 1) * PART_BYTES) }));
}

interface Open {
  pieces: Array<Uint8Array | undefined>;
  received: number;
}

export class MessageAssembler {
  private readonly open = new Map<MurmurPeerId, Map<number, Open>>();

  /** The whole message once its last piece is in, else undefined. */
  add(from: MurmurPeerId, part: Part): Uint8Array | undefined {
    let mine = this.open.get(from);
    if (!mine) this.open.set(from, (mine = new Map()));
    let entry = mine.get(part.id);
    if (!entry || entry.pieces.length !== part.n) {
      if (mine.size >= MAX_OPEN_PER_PEER) mine.delete(mine.keys().next().value as number);
      entry = { pieces: new Array<Uint8Array | undefined>(part.n), received: 0 };
      mine.set(part.id, entry);
    }
    if (entry.pieces[part.i] !== undefined) return undefined;
    entry.pieces[part.i] = part.b;
    entry.received += 1;
    if (entry.received < part.n) return undefined;
    mine.delete(part.id);
    const whole = new Uint8Array(entry.pieces.reduce((sum, p) => sum + (p?.byteLength ?? 0), 0));
    let offset = 0;
    for (const piece of entry.pieces as Uint8Array[]) {
      whole.set(piece, offset);
      offset += piece.byteLength;
    }
    return whole;
  }

  forget(peer: MurmurPeerId): void {
    this.open.delete(peer);
  }

  clear(): void {
    this.open.clear();
  }
}
