/**
 * Measures round-trip time to each neighbour with a PING/PONG pair on the
 * app channel (routed to the neighbour, so one hop). The result feeds
 * `room.stats().links[].rttMs` and the inspector.
 */
import type { PeerId } from '../../shared/src/engine/types.js';
import { Channel, encodeFrame, type ChannelFrame } from './channel-codec.js';

export interface LinkProbeOptions {
  neighbours: () => readonly PeerId[];
  route: (to: PeerId, payload: Uint8Array) => void;
  onRtt: (peer: PeerId, rttMs: number) => void;
  now: () => number;
  /** Probe every neighbour this often, ms. */
  intervalMs: number;
}

export class LinkProbe {
  private readonly options: LinkProbeOptions;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: LinkProbeOptions) {
    this.options = options;
    this.timer = setInterval(() => this.probeAll(), options.intervalMs);
  }

  probe(peer: PeerId): void {
    this.options.route(peer, encodeFrame({ channel: Channel.PING, sentAt: this.options.now() }));
  }

  receive(from: PeerId, frame: ChannelFrame): void {
    if (frame.channel === Channel.PING) {
      this.options.route(from, encodeFrame({ channel: Channel.PONG, sentAt: frame.sentAt }));
    } else if (frame.channel === Channel.PONG) {
      const rtt = this.options.now() - frame.sentAt;
      // A PONG echoes our own clock; anything outside a sane window is forged or stale.
      if (rtt >= 0 && rtt < 60_000) this.options.onRtt(from, rtt);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private probeAll(): void {
    for (const peer of this.options.neighbours()) this.probe(peer);
  }
}
