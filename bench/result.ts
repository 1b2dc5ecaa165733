/** One benchmark row: the JSON-lines schema of `npm run bench:sim -- --json`. */
export interface BenchRow {
  scenario: string;
  protocol: 'gossip' | 'flood' | 'push';
  n: number;
  loss: number;
  /** Hops from publisher to receiver (gossip periods for push), median and 99th percentile over deliveries. */
  rounds_p50: number | null;
  rounds_p99: number | null;
  /** Hops within which 99.9% of (update, live peer) pairs were reached; null if fewer were reached at all. */
  rounds_p999: number | null;
  /** Virtual ms from publish to first receipt, over deliveries. */
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  /** Fraction of (update, live peer) pairs reached. */
  reach: number;
  /** Relative message redundancy: payload copies sent / (peers reached) − 1. */
  rmr: number;
  /** Payload copies sent per peer reached, per update. */
  copies_per_peer: number;
  /** Seconds from crash to each survivor's dead verdict (pairs never judged count as infinite). */
  detect_median_s: number | null;
  detect_p99_s: number | null;
  /** Dead verdicts about peers that were up, over the whole run (all observers). */
  false_dead: number | null;
  /** All engine traffic sent while the room idles (membership, probes, anti-entropy), per peer. */
  msgs_per_peer_per_s: number | null;
  bytes_per_peer_per_s: number | null;
  wall_ms: number;
  /** CPU time of the run (the machine may be shared: wall time alone can mislead). */
  cpu_ms: number;
  updates: number;
}
