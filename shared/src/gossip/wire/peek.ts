/**
 * Reads a GOSSIP frame's header and body kind without decoding the body
 * (no JSON, no copies): for drivers and benchmarks that count traffic.
 * Returns undefined for any other or malformed frame.
 */
import { BodyKind } from './gossip-body.js';
import { FrameType } from './frames.js';
import { Reader } from './reader.js';

export interface GossipPeek {
  origin: string;
  seq: number;
  round: number;
  kind: number;
  /** For DATA bodies: the app payload (a view into the frame). */
  payload: Uint8Array | undefined;
}

export function peekGossip(bytes: Uint8Array): GossipPeek | undefined {
  if (bytes[0] !== FrameType.GOSSIP) return undefined;
  try {
    const reader = new Reader(bytes);
    reader.u8();
    const origin = reader.string(1024, 'origin');
    const seq = reader.varUint();
    const round = reader.varUint();
    const kind = reader.u8();
    const payload = kind === BodyKind.DATA ? reader.bytesOf(bytes.length, 'payload') : undefined;
    return { origin, seq, round, kind, payload };
  } catch {
    return undefined;
  }
}
