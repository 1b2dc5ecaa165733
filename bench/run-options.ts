/** What one benchmark run is given, and the payload every protocol publishes. */
export interface RunOptions {
  n: number;
  loss: number;
  seed: number;
  updates: number;
}

/** Bytes of each benchmark update (a small Yjs update or cursor event is of this order). */
export const PAYLOAD_BYTES = 64;

export function makePayload(index: number): Uint8Array {
  const payload = new Uint8Array(PAYLOAD_BYTES);
  new DataView(payload.buffer).setUint32(0, index);
  return payload;
}

export function payloadIndex(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
}
