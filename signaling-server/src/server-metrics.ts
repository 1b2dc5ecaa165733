/**
 * The server's named metrics. Names follow Prometheus conventions
 * (`_total` counters, base units: seconds, bytes); README.md lists them.
 */
import type { ErrorCode } from '../../shared/src/errors.js';
import { MetricsRegistry, type Counter, type Histogram } from './metrics.js';

export interface ServerMetrics {
  registry: MetricsRegistry;
  accepted: Counter;
  /** Upgrades answered with a close: reason origin | auth | capacity | draining. */
  refused: Counter;
  /** Sockets the server ended: reason slow_reader | rate_limited | ping_timeout. */
  disconnects: Counter;
  received: Counter;
  relayed: Counter;
  /** Frames refused: reason is the lower-case error code (bad_json, rate_limited, ...), too_big or protocol. */
  rejected: Counter;
  /** From a signal frame's arrival to its send on the target socket (or its publish to the target's instance). */
  latency: Histogram;
}

/** MURMUR_BAD_JSON → bad_json: short, stable label values. */
export function errorReason(code: ErrorCode): string {
  return code.replace(/^MURMUR_/, '').toLowerCase();
}

export function createServerMetrics(stats: () => { rooms: number; peers: number; connections: number }): ServerMetrics {
  const registry = new MetricsRegistry();
  registry.gauge('murmur_signal_connections', 'Open WebSocket connections on this instance.', () => stats().connections);
  registry.gauge('murmur_signal_rooms', 'Rooms with at least one peer on this instance.', () => stats().rooms);
  registry.gauge('murmur_signal_peers', 'Peers (room memberships) on this instance.', () => stats().peers);
  registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => process.memoryUsage.rss());
  return {
    registry,
    accepted: registry.counter('murmur_signal_connections_accepted_total', 'WebSocket connections admitted.'),
    refused: registry.counter('murmur_signal_connections_refused_total', 'WebSocket upgrades refused, by reason.'),
    disconnects: registry.counter('murmur_signal_disconnects_total', 'Connections closed by the server, by reason.'),
    received: registry.counter('murmur_signal_frames_received_total', 'Frames received from clients.'),
    relayed: registry.counter('murmur_signal_frames_relayed_total', 'Signals relayed to their addressed peer.'),
    rejected: registry.counter('murmur_signal_frames_rejected_total', 'Frames refused, by reason.'),
    latency: registry.histogram(
      'murmur_signal_relay_latency_seconds',
      'Time from a signal frame arriving to it being sent on to its target.',
      [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    ),
  };
}
