/** Upper bounds applied while decoding peer bytes (all in bytes or items). */
export interface WireLimits {
  /** Longest peer id accepted. */
  maxPeerIdBytes: number;
  /** Longest presence JSON accepted. */
  maxPresenceBytes: number;
  /** Largest app payload (broadcast or routed) accepted. */
  maxPayloadBytes: number;
  /** Most items in any list (ids, records, buckets). */
  maxListItems: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxPeerIdBytes: 64,
  maxPresenceBytes: 4096,
  maxPayloadBytes: 256 * 1024,
  maxListItems: 4096,
};
