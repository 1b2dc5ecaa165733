/**
 * SWIM failure detection with Lifeguard's refinements, over the active view.
 *
 * Each period one neighbour is probed (round robin over a shuffled order).
 * A neighbour that sent us anything during the last period is skipped: its
 * traffic already proves it alive, so an idle mesh pays for one ping/ack per
 * link per period at most and a busy one pays nothing. No ack within the
 * timeout: the ping is retried; then retried once more while `indirectProbes`
 * other neighbours relay a ping over the mesh (ROUTE frames). Still nothing:
 * the target is suspected. Each suspicion costs two room-wide broadcasts
 * (suspect, refute), so cheap retries that make a false one rare pay off. Pings carry the anti-entropy digest when one is due, so the
 * backstop costs no extra messages.
 *
 * Lifeguard: a local health score (missed acks, refutations of our own
 * suspicion) stretches our period and timeouts so a slow tab does not accuse
 * healthy peers; suspicion timeouts start long and shrink with each
 * independent accuser (Lifeguard's confirmation-shortened suspicion).
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import type { TreeAdvertFields } from './wire/frames.js';
import { expectedConfirmations, scaleByHealth, suspicionMinMs, suspicionTimeoutMs } from './maths.js';

export interface DetectorHooks {
  neighbors(): ReadonlySet<PeerId>;
  isSuspect(peer: PeerId): boolean;
  liveMembers(): number;
  /** Anti-entropy digest to piggyback on this ping, or empty. */
  digestFor(target: PeerId): number[];
  /** Our broadcast-tree advert, piggybacked on every ping. */
  treeAdvert(): TreeAdvertFields;
  /** Ask a helper neighbour to relay a ping to `target`. */
  relayPing(helper: PeerId, target: PeerId, seq: number): void;
  /** Our probe failed: accuse the target. */
  probeFailed(target: PeerId): void;
  /** A suspicion ran out: declare the peer dead. */
  suspicionExpired(peer: PeerId, incarnation: number): void;
}

interface Probe {
  target: PeerId;
  seq: number;
  /** 0: direct ping out; 1: direct retry out; 2: relayed pings out. */
  phase: number;
}

interface Suspicion {
  incarnation: number;
  start: number;
  accusers: Set<PeerId>;
  minMs: number;
  maxMs: number;
  expected: number;
  deadline: number;
}

export const PROBE_TIMER = 'probe';
export const PROBE_TIMEOUT_TIMER = 'probe-timeout';
export const SUSPICION_TIMER = 'suspicion';
export const VERIFY_TIMER = 'verify';

export class FailureDetector {
  /** Lifeguard local health score, 0..maxHealth. */
  health = 0;
  /** Smoothed round-trip time per neighbour from direct acks, ms. */
  readonly rtt = new Map<PeerId, number>();
  private readonly ctx: Context;
  private readonly hooks: DetectorHooks;
  private readonly lastHeard = new Map<PeerId, number>();
  private readonly suspicions = new Map<PeerId, Suspicion>();
  private order: PeerId[] = [];
  private probe: Probe | undefined;
  private probeSentAt = 0;
  private seq = 0;
  private suspicionAt = Infinity;
  /** Former neighbours being checked over relayed pings: peer → (seq, deadline). */
  private readonly verifying = new Map<PeerId, { seq: number; deadline: number }>();
  private verifyAt = Infinity;

  constructor(ctx: Context, hooks: DetectorHooks) {
    this.ctx = ctx;
    this.hooks = hooks;
  }

  heardFrom(peer: PeerId): void {
    this.lastHeard.set(peer, this.ctx.now);
    if (this.probe?.target === peer) this.succeed(false);
  }

  /** When we last received anything from `peer`, if it is (or just was) a neighbour. */
  heardAt(peer: PeerId): number | undefined {
    return this.lastHeard.get(peer);
  }

  forgetNeighbor(peer: PeerId): void {
    this.lastHeard.delete(peer);
    this.rtt.delete(peer);
    if (this.probe?.target === peer) {
      this.probe = undefined;
      this.ctx.clearTimer(PROBE_TIMEOUT_TIMER);
    }
  }

  private scaled(ms: number): number {
    return scaleByHealth(ms, this.health);
  }

  onProbeTimer(): void {
    const config = this.ctx.config;
    this.ctx.setTimer(PROBE_TIMER, this.ctx.now + this.scaled(config.probeIntervalMs));
    if (this.probe) return; // the previous probe is still running its indirect phase
    const target = this.nextTarget();
    if (target === undefined) return;
    this.seq += 1;
    this.probe = { target, seq: this.seq, phase: 0 };
    this.probeSentAt = this.ctx.now;
    this.ctx.stats.probes += 1;
    this.ctx.send(target, { type: 'ping', seq: this.seq, suspected: this.hooks.isSuspect(target), digest: this.hooks.digestFor(target), tree: this.hooks.treeAdvert() });
    this.ctx.setTimer(PROBE_TIMEOUT_TIMER, this.ctx.now + this.scaled(config.probeTimeoutMs));
  }

  private nextTarget(): PeerId | undefined {
    const neighbors = this.hooks.neighbors();
    const quietSince = this.ctx.now - this.ctx.config.probeIntervalMs;
    for (let attempts = 0; attempts < 2; attempts++) {
      while (this.order.length > 0) {
        const peer = this.order.pop() as PeerId;
        if (!neighbors.has(peer)) continue;
        if ((this.lastHeard.get(peer) ?? -Infinity) > quietSince) continue;
        return peer;
      }
      this.order = this.ctx.config.rng.shuffle([...neighbors]);
    }
    return undefined;
  }

  onProbeTimeout(): void {
    const probe = this.probe;
    if (!probe) return;
    const config = this.ctx.config;
    if (probe.phase === 0) {
      // A lost ping or ack is far likelier than a dead peer: a cheap direct retry first.
      probe.phase = 1;
      this.ctx.send(probe.target, { type: 'ping', seq: probe.seq, suspected: this.hooks.isSuspect(probe.target), digest: [], tree: this.hooks.treeAdvert() });
      this.ctx.setTimer(PROBE_TIMEOUT_TIMER, this.ctx.now + this.scaled(config.probeTimeoutMs));
      return;
    }
    if (probe.phase === 1) {
      // Then a last direct try together with pings relayed by other neighbours (SWIM's indirect probe).
      probe.phase = 2;
      this.ctx.send(probe.target, { type: 'ping', seq: probe.seq, suspected: this.hooks.isSuspect(probe.target), digest: [], tree: this.hooks.treeAdvert() });
      const helpers = [...this.hooks.neighbors()].filter((peer) => peer !== probe.target);
      for (const helper of config.rng.sample(helpers, config.indirectProbes)) this.hooks.relayPing(helper, probe.target, probe.seq);
      this.ctx.setTimer(PROBE_TIMEOUT_TIMER, this.ctx.now + this.scaled(config.indirectTimeoutMs));
      return;
    }
    this.probe = undefined;
    this.ctx.stats.probeFailures += 1;
    this.health = Math.min(config.maxHealth, this.health + 1);
    this.hooks.probeFailed(probe.target);
  }

  /**
   * A link to `peer` closed without a goodbye. A lost DISCONNECT looks the
   * same as a crash, so before accusing, ask `indirectProbes` neighbours to
   * relay a ping; accuse only if no ack comes back in time.
   */
  verify(peer: PeerId, lastHeard: number | undefined): void {
    if (this.verifying.has(peer)) return;
    const config = this.ctx.config;
    // A peer that was talking to us a moment ago most likely closed the link on purpose (an
    // eviction whose DISCONNECT was lost), so give it longer; but never skip the check: a tab
    // whose page died right after a message, with its goodbye lost, must not linger as a ghost,
    // and in a small room nobody else would ever probe it.
    const recent = lastHeard !== undefined && this.ctx.now - lastHeard < 2 * config.probeIntervalMs;
    this.seq += 1;
    const deadline = this.ctx.now + this.scaled(config.probeTimeoutMs + config.indirectTimeoutMs) + (recent ? 2 * config.probeIntervalMs : 0);
    this.verifying.set(peer, { seq: this.seq, deadline });
    const helpers = [...this.hooks.neighbors()].filter((p) => p !== peer);
    for (const helper of config.rng.sample(helpers, config.indirectProbes)) this.hooks.relayPing(helper, peer, this.seq);
    if (deadline < this.verifyAt) {
      this.verifyAt = deadline;
      this.ctx.setTimer(VERIFY_TIMER, deadline);
    }
  }

  onVerifyTimer(): void {
    this.verifyAt = Infinity;
    const failed: PeerId[] = [];
    for (const [peer, check] of this.verifying) {
      if (check.deadline <= this.ctx.now) failed.push(peer);
      else this.verifyAt = Math.min(this.verifyAt, check.deadline);
    }
    for (const peer of failed) this.verifying.delete(peer);
    if (this.verifyAt < Infinity) this.ctx.setTimer(VERIFY_TIMER, this.verifyAt);
    for (const peer of failed) this.hooks.probeFailed(peer);
  }

  /** A direct or relayed ack arrived. */
  onAck(from: PeerId, seq: number): void {
    if (this.verifying.get(from)?.seq === seq) this.verifying.delete(from);
    if (this.probe && this.probe.target === from && this.probe.seq === seq) this.succeed(this.probe.phase === 0);
  }

  private succeed(direct: boolean): void {
    const probe = this.probe;
    if (!probe) return;
    if (direct) {
      const sample = this.ctx.now - this.probeSentAt;
      const previous = this.rtt.get(probe.target);
      this.rtt.set(probe.target, previous === undefined ? sample : previous * 0.875 + sample * 0.125);
    }
    this.probe = undefined;
    this.health = Math.max(0, this.health - 1);
    this.ctx.clearTimer(PROBE_TIMEOUT_TIMER);
  }

  /** We had to refute a suspicion of ourselves: we may be the slow one (Lifeguard). */
  noteRefutation(): void {
    this.health = Math.min(this.ctx.config.maxHealth, this.health + 1);
  }

  /** Starts or confirms a suspicion of `peer` at `incarnation` by `accuser`; `notBefore` defers its end. */
  suspect(peer: PeerId, incarnation: number, accuser: PeerId, notBefore = 0): void {
    const config = this.ctx.config;
    let suspicion = this.suspicions.get(peer);
    if (!suspicion || suspicion.incarnation !== incarnation) {
      const live = this.hooks.liveMembers() + 1;
      const minMs = suspicionMinMs(config.suspicionMult, live, config.probeIntervalMs);
      const maxMs = minMs * config.suspicionMaxMult;
      const expected = expectedConfirmations(config.suspicionConfirmations, live);
      suspicion = { incarnation, start: this.ctx.now, accusers: new Set([accuser]), minMs, maxMs, expected, deadline: this.ctx.now + maxMs };
      suspicion.deadline = suspicion.start + suspicionTimeoutMs(0, expected, minMs, maxMs);
      this.suspicions.set(peer, suspicion);
    } else if (!suspicion.accusers.has(accuser)) {
      suspicion.accusers.add(accuser);
      const confirmations = suspicion.accusers.size - 1;
      suspicion.deadline = suspicion.start + suspicionTimeoutMs(confirmations, suspicion.expected, suspicion.minMs, suspicion.maxMs);
    } else if (notBefore <= suspicion.deadline) {
      return;
    }
    suspicion.deadline = Math.max(suspicion.deadline, notBefore);
    this.armSuspicion();
  }

  clearSuspicion(peer: PeerId): void {
    if (this.suspicions.delete(peer)) this.armSuspicion();
  }

  private armSuspicion(): void {
    let next = Infinity;
    for (const suspicion of this.suspicions.values()) next = Math.min(next, suspicion.deadline);
    if (next === this.suspicionAt) return;
    this.suspicionAt = next;
    if (next === Infinity) this.ctx.clearTimer(SUSPICION_TIMER);
    else this.ctx.setTimer(SUSPICION_TIMER, next);
  }

  onSuspicionTimer(): void {
    this.suspicionAt = Infinity;
    const expired: Array<[PeerId, number]> = [];
    for (const [peer, suspicion] of this.suspicions) if (suspicion.deadline <= this.ctx.now) expired.push([peer, suspicion.incarnation]);
    for (const [peer] of expired) this.suspicions.delete(peer);
    this.armSuspicion();
    for (const [peer, incarnation] of expired) this.hooks.suspicionExpired(peer, incarnation);
  }

  get probing(): PeerId | undefined {
    return this.probe?.target;
  }
}
