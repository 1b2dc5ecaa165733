import { GOSSIP_DEFAULTS } from '../config.js';

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

/** The engine config's defaults (one source for every limit). */
export const DEFAULT_WIRE_LIMITS: WireLimits = GOSSIP_DEFAULTS.limits;
