/**
 * What every piece of the engine shares during one `handle` call: the
 * config, the clock reading passed in, the output list being built, and the
 * traffic counters. Pieces never keep a reference to `out` across calls.
 */
import type { EngineOutput, PeerId } from '../engine/types.js';
import type { GossipConfig } from './config.js';
import { encodeFrame, type Frame } from './wire/frames.js';
import type { WireLimits } from './wire/limits.js';

export interface EngineStats {
  msgsOut: number;
  bytesOut: number;
  msgsIn: number;
  bytesIn: number;
  duplicates: number;
  /** New messages not passed on because they told us nothing new (state we already held, see Broadcast.relay). */
  staleNotRelayed: number;
  malformed: number;
  connectAttempts: number;
  refusals: number;
  probes: number;
  probeFailures: number;
  /** Former neighbours (link closed without a goodbye) that relayed pings could not reach. */
  verifyFailures: number;
  refutations: number;
  /** Active links that closed without a goodbye. */
  linkFailures: number;
  /** Payloads retransmitted on tree links / sent in answer to a GRAFT. */
  resends: number;
  pullsServed: number;
}

export function emptyStats(): EngineStats {
  return {
    msgsOut: 0,
    bytesOut: 0,
    msgsIn: 0,
    bytesIn: 0,
    duplicates: 0,
    staleNotRelayed: 0,
    malformed: 0,
    connectAttempts: 0,
    refusals: 0,
    probes: 0,
    probeFailures: 0,
    verifyFailures: 0,
    refutations: 0,
    linkFailures: 0,
    resends: 0,
    pullsServed: 0,
  };
}

export class Context {
  readonly config: GossipConfig;
  readonly self: PeerId;
  readonly limits: WireLimits;
  readonly stats: EngineStats = emptyStats();
  now = 0;
  out: EngineOutput[] = [];

  constructor(config: GossipConfig) {
    this.config = config;
    this.self = config.selfId;
    this.limits = {
      maxPeerIdBytes: config.maxPeerIdBytes,
      maxPresenceBytes: config.maxPresenceBytes,
      maxPayloadBytes: config.maxPayloadBytes,
      maxListItems: 4096,
    };
  }

  sendBytes(to: PeerId, bytes: Uint8Array): void {
    this.stats.msgsOut += 1;
    this.stats.bytesOut += bytes.length;
    this.out.push({ type: 'send', to, bytes });
  }

  send(to: PeerId, frame: Frame): void {
    this.sendBytes(to, encodeFrame(frame));
  }

  emit(output: EngineOutput): void {
    this.out.push(output);
  }

  setTimer(timer: string, at: number): void {
    this.out.push({ type: 'set-timer', timer, at });
  }

  clearTimer(timer: string): void {
    this.out.push({ type: 'clear-timer', timer });
  }
}
