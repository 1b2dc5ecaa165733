/**
 * One reusable lib0 encoder for the whole wire module: every frame used to
 * allocate a fresh encoder (a 100-byte buffer, grown by doubling for larger
 * frames) only to copy the result out. Encoding is synchronous and never
 * nests (a GOSSIP body is encoded before its frame), but a nested call would
 * still be safe: it gets an encoder of its own.
 */
import * as encoding from 'lib0/encoding';

const scratch = encoding.createEncoder();
let busy = false;

/** Runs `write` on an empty encoder and returns a copy of what it wrote. */
export function encodeWith(write: (encoder: encoding.Encoder) => void): Uint8Array {
  if (busy) {
    const encoder = encoding.createEncoder();
    write(encoder);
    return encoding.toUint8Array(encoder);
  }
  busy = true;
  try {
    scratch.cpos = 0;
    scratch.bufs.length = 0;
    write(scratch);
    return encoding.toUint8Array(scratch);
  } finally {
    busy = false;
  }
}
