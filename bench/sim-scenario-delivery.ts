/**
 * App broadcasts from random live peers throughout a scenario, and the
 * fraction of (update, live peer) pairs delivered.
 *
 * A pair counts if the peer was in the room at the send (live, and it had
 * held a link: a tab that never joined cannot be reached) and still live
 * `graceMs` later (crashes and closes are final in the simulator, and new
 * tabs take new ids, so live at both ends is live throughout); it is
 * delivered if the peer's engine emitted the update's `deliver` within that
 * grace. A pair the scenario cut apart on purpose (a forced partition
 * between the two during the grace) is not counted. Payloads are MESSAGE channel frames, as the client sends them, so
 * they travel beside Yjs traffic without confusing the doc sync.
 */
import { Channel, decodeFrame, encodeFrame } from '../shared/src/doc/channel-codec.js';
import type { EngineOutput, PeerId } from '../shared/src/engine/types.js';
import type { Prng } from '../shared/src/prng.js';
import type { Simulator } from '../shared/src/sim/simulator.js';

export const UPDATE_TOPIC = 'bench-update';

interface Sent {
  at: number;
  origin: PeerId;
  /** Peers in the room at the send (the origin excluded). */
  audience: PeerId[];
  received: Set<PeerId>;
}

export interface DeliveryTotals {
  updates: number;
  pairs: number;
  delivered: number;
  /** Delivery latency over delivered pairs, virtual ms. */
  latenciesMs: number[];
}

export class DeliveryTracker {
  private readonly sim: Simulator;
  private readonly rng: Prng;
  private readonly graceMs: number;
  private readonly inRoom: (id: PeerId) => boolean;
  /** False if the scenario kept `a` and `b` apart at some point in [from, to] (asked once the grace is over). */
  private readonly together: (a: PeerId, b: PeerId, from: number, to: number) => boolean;
  private readonly sent: Sent[] = [];
  private readonly totals: DeliveryTotals = { updates: 0, pairs: 0, delivered: 0, latenciesMs: [] };

  constructor(sim: Simulator, rng: Prng, graceMs: number, inRoom: (id: PeerId) => boolean, together: (a: PeerId, b: PeerId, from: number, to: number) => boolean = () => true) {
    this.sim = sim;
    this.together = together;
    this.rng = rng;
    this.graceMs = graceMs;
    this.inRoom = inRoom;
    sim.observers.push({ onEvent: (at, output, now) => this.onEvent(at, output, now) });
  }

  /** Schedules `count` sends, one every `everyMs` from `from`, each from a random peer in the room. */
  schedule(from: number, everyMs: number, count: number): void {
    for (let i = 0; i < count; i++) this.sim.schedule(from + i * everyMs, () => this.send());
  }

  private send(): void {
    const up = this.sim.upNodes();
    const audience = up.filter(this.inRoom);
    const origin = this.rng.pick(audience);
    if (origin === undefined) return;
    const index = this.sent.length;
    const payload = encodeFrame({ channel: Channel.MESSAGE, topic: UPDATE_TOPIC, data: index });
    const at = this.sim.now;
    const entry: Sent = { at, origin, audience: audience.filter((id) => id !== origin), received: new Set() };
    this.sent.push(entry);
    this.sim.command(origin, { type: 'broadcast', payload });
    this.sim.schedule(at + this.graceMs, () => this.settle(entry));
  }

  private onEvent(at: PeerId, output: EngineOutput, now: number): void {
    if (output.type !== 'deliver' || output.payload[0] !== Channel.MESSAGE) return;
    const frame = decodeFrame(output.payload);
    if (frame.channel !== Channel.MESSAGE || frame.topic !== UPDATE_TOPIC || typeof frame.data !== 'number') return;
    const entry = this.sent[frame.data];
    if (entry === undefined || now > entry.at + this.graceMs || entry.received.has(at)) return;
    entry.received.add(at);
    this.totals.latenciesMs.push(now - entry.at);
  }

  private settle(entry: Sent): void {
    this.totals.updates += 1;
    for (const id of entry.audience) {
      if (this.sim.nodes.get(id)?.state !== 'up' || !this.together(entry.origin, id, entry.at, entry.at + this.graceMs)) continue;
      this.totals.pairs += 1;
      if (entry.received.has(id)) this.totals.delivered += 1;
    }
    entry.audience = [];
    entry.received.clear();
  }

  result(): DeliveryTotals {
    return this.totals;
  }
}
