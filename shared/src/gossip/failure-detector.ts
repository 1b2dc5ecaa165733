/**
 * SWIM failure detection with Lifeguard's refinements, over the active view.
 *
 * Each period at most one neighbour is probed: the one most overdue. A
 * probe exchange (a ping from either end, or an ack) makes a link due again,
 * at each end, after a random time: exponential, with a mean of 1.5 periods
 * per neighbour. A ping proves the pinger alive as much as the ack proves the
 * target, so one exchange serves both ends, and a link is checked about every
 * 0.75 × `links` periods from whichever end comes first: a mesh pays about
 * two thirds of SWIM's load (one ping and one ack per node per period). The
 * price is that a crashed peer's links are checked (by its neighbours alone)
 * about once per 1.5 periods instead of one. Only probe exchanges reset the clock,
 * not other traffic (after a burst every link would fall due at once), and
 * the draw is memoryless, so the wait does not depend on when the links were
 * last checked.
 *
 * A probe is a local trial before any accusation: direct pings, then twice
 * more a direct try while `indirectProbes` other neighbours (a fresh set
 * each time) relay a ping over the mesh (ROUTE frames). Only if all of that
 * fails is the target suspected, and a suspicion is a room-wide broadcast
 * (and its refutation another), so the length of the trial is what keeps
 * membership traffic flat in N. The number of direct tries follows the loss
 * we see: 6 in a new tab and at 10% loss (2 s; eight lost round trips in a
 * row, ~2e-6, plus failed relays), down to 2 on clean links (a crash is
 * accused after 1.2 s).
 *
 * A suspected neighbour is probed at once by every node that hears of it, in
 * a shorter trial (it only confirms), so confirmations (or the `suspected`
 * flag that makes the target refute) arrive within a second rather than at
 * random. Only accusers declare death when the suspicion runs out; the
 * others wait a grace period longer, so a real death costs a handful of DEAD
 * broadcasts, not one per survivor.
 *
 * Lifeguard: a local health score (missed acks, refutations of our own
 * suspicion) stretches our period and timeouts so a slow tab does not accuse
 * healthy peers; suspicion timeouts start long and shrink with each
 * independent accuser (Lifeguard's confirmation-shortened suspicion).
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import type { DetectorTimer } from './timers.js';
import { directTriesFor, expectedConfirmations, scaleByHealth, suspicionMinMs } from './maths.js';
import { accuse, holdPatience, openSuspicion, type Suspicion } from './suspicion.js';

interface Probe {
  target: PeerId;
  seq: number;
  /** The attempts this probe makes (see probePhases, or CONFIRM_PHASES for a suspect others accused). */
  phases: ReadonlyArray<{ relayed: boolean }>;
  /** Index into `phases` of the attempt now out. */
  phase: number;
  /** Helpers already asked to relay (a later relayed round asks others). */
  helpers: Set<PeerId>;
}

/**
 * A probe's attempts: each sends a direct ping (same seq: a late ack of an
 * earlier try still counts), the relayed ones also ask helpers, then waits
 * for the probe or indirect timeout. Direct tries are the cheap and
 * independent ones; relayed pings in a sparse mesh mostly find no route from
 * the helper to the target (traced at N=400: every relayed ping of a false
 * suspicion ended in a random walk), so they come last, two rounds.
 *
 * How many direct tries depends on how often a first try goes unanswered on
 * our links (a smoothed rate over our probes, doubled for safety): enough
 * that all of them failing by chance is rarer than detector.falseAccusationOdds. A
 * new tab starts at 6 (2 s in all). On lossless links (a WebRTC data channel
 * is reliable) that falls to 4 after ~25 probes, 3 after ~45 and 2 (1.2 s)
 * after ~80, one to two minutes; at 10% loss each way (~19% of round trips
 * lost) it stays at 6. (Starting lower cost false accusations in the join
 * burst of a 1,000-peer room at 10% loss.)
 */
function probePhases(tries: number): ReadonlyArray<{ relayed: boolean }> {
  return [...Array.from({ length: tries }, () => ({ relayed: false })), { relayed: true }, { relayed: true }];
}

/**
 * A shorter trial for a neighbour others already accuse: our verdict only
 * confirms theirs (shortening the suspicion towards its minimum, during which
 * the suspect can still refute), so it need not be as sure as an accusation.
 */
const CONFIRM_PHASES: ReadonlyArray<{ relayed: boolean }> = [{ relayed: false }, { relayed: false }, { relayed: true }];

export class FailureDetector {
  /** Lifeguard local health score, 0..maxHealth. */
  health = 0;
  /** Smoothed share of probes whose first try went unanswered in time (sets the number of direct tries). */
  missRate: number;
  /** Smoothed round-trip time per neighbour from direct acks, ms. */
  readonly rtt = new Map<PeerId, number>();
  private readonly ctx: Context;
  private readonly lastHeard = new Map<PeerId, number>();
  /** When each neighbour's link is due for a probe again (set by each probe exchange). */
  private readonly probeDue = new Map<PeerId, number>();
  private readonly suspicions = new Map<PeerId, Suspicion>();
  /** Suspected neighbours to probe at the next chance (others accused them). */
  private readonly urgent = new Set<PeerId>();
  private probe: Probe | undefined;
  private probeSentAt = 0;
  private seq = 0;
  /** Former neighbours being checked over relayed pings. */
  private readonly verifying = new Map<PeerId, { seq: number; deadline: number; round: number; helpers: Set<PeerId> }>();

  constructor(ctx: Context) {
    this.ctx = ctx;
    this.missRate = ctx.config.detector.initialMissRate;
  }

  onTimer(timer: DetectorTimer): void {
    if (timer === 'probe') this.onProbeTimer();
    else if (timer === 'probe-timeout') this.onProbeTimeout();
    else if (timer === 'suspicion') this.onSuspicionTimer();
    else this.onVerifyTimer();
  }

  /** Arms the probe timer at a random phase, so a room started at once does not probe in lock step. */
  start(): void {
    this.ctx.resetTimer('probe', this.ctx.now + this.ctx.config.rng.next() * this.ctx.config.detector.probeIntervalMs);
  }

  heardFrom(peer: PeerId): void {
    this.lastHeard.set(peer, this.ctx.now);
    this.urgent.delete(peer);
    if (this.probe?.target === peer) this.succeed(false);
  }

  /** A probe exchange with `peer` (it pinged us, or acked our ping) proves the link for a while. */
  exchanged(peer: PeerId, theirPing = false): void {
    const neighbors = this.ctx.view.neighbors;
    if (!neighbors.has(peer)) return;
    // Until our own probe has timed the link once, its pings do not make it due later: `rttMs` per
    // link comes only from our direct acks.
    if (theirPing && !this.rtt.has(peer)) return;
    // Due again after an exponential time (capped at three means) with a mean of 1.5 periods per
    // neighbour: both ends draw, so the link is checked about every 0.75 × `links` periods from
    // whichever end comes first. Memoryless: however recently its links were checked, a crashed peer
    // is due on one of them within about 1.5 periods; and links that formed together stay out of step.
    const mean = this.ctx.config.detector.probeDuePeriods * this.ctx.config.detector.probeIntervalMs * neighbors.size;
    this.probeDue.set(peer, this.ctx.now + mean * Math.min(3, -Math.log(1 - this.ctx.config.rng.next())));
  }

  /** When we last received anything from `peer`, if it is (or just was) a neighbour. */
  heardAt(peer: PeerId): number | undefined {
    return this.lastHeard.get(peer);
  }

  forgetNeighbor(peer: PeerId): void {
    this.lastHeard.delete(peer);
    this.probeDue.delete(peer);
    this.rtt.delete(peer);
    this.urgent.delete(peer);
    if (this.probe?.target === peer) {
      this.probe = undefined;
      this.ctx.clearTimer('probe-timeout');
    }
  }

  private scaled(ms: number): number {
    return scaleByHealth(ms, this.health);
  }

  onProbeTimer(): void {
    this.ctx.resetTimer('probe', this.ctx.now + this.scaled(this.ctx.config.detector.probeIntervalMs));
    if (this.probe) return; // the previous probe is still running its later attempts
    const target = this.nextTarget();
    if (target === undefined) return;
    const { missRateMargin, falseAccusationOdds, minDirectTries, maxDirectTries } = this.ctx.config.detector;
    const tries = directTriesFor(missRateMargin * this.missRate, falseAccusationOdds, minDirectTries, maxDirectTries);
    const phases = this.urgent.has(target) ? CONFIRM_PHASES : probePhases(tries);
    this.startProbe(target, phases);
  }

  private startProbe(target: PeerId, phases: ReadonlyArray<{ relayed: boolean }>): void {
    this.urgent.delete(target);
    this.seq += 1;
    this.probe = { target, seq: this.seq, phases, phase: 0, helpers: new Set() };
    this.probeSentAt = this.ctx.now;
    this.ctx.stats.probes += 1;
    this.ctx.raise({ type: 'ping', target, seq: this.seq, first: true });
    this.ctx.resetTimer('probe-timeout', this.ctx.now + this.scaled(this.ctx.config.detector.probeTimeoutMs));
  }

  /**
   * A suspected neighbour first; else the neighbour most overdue for a
   * probe, if any is.
   */
  private nextTarget(): PeerId | undefined {
    const neighbors = this.ctx.view.neighbors;
    for (const peer of this.urgent) {
      if (neighbors.has(peer)) return peer;
      this.urgent.delete(peer);
    }
    let target: PeerId | undefined;
    let earliest = Infinity;
    for (const peer of neighbors) {
      const due = this.probeDue.get(peer) ?? -Infinity;
      if (due < earliest) {
        earliest = due;
        target = peer;
      }
    }
    return earliest <= this.ctx.now ? target : undefined;
  }

  onProbeTimeout(): void {
    const probe = this.probe;
    if (!probe) return;
    const config = this.ctx.config;
    if (probe.phase === 0) this.missRate = this.missRate * (1 - config.detector.missRateWeight) + config.detector.missRateWeight;
    probe.phase += 1;
    const phase = probe.phases[probe.phase];
    if (phase !== undefined) {
      // A lost ping or ack is far likelier than a dead peer: try again, and in the last two tries
      // also through other neighbours (SWIM's indirect probe), a fresh set each round.
      this.ctx.raise({ type: 'ping', target: probe.target, seq: probe.seq, first: false });
      if (phase.relayed) this.relay(probe.target, probe.seq, probe.helpers);
      this.ctx.resetTimer('probe-timeout', this.ctx.now + this.scaled(phase.relayed ? config.detector.indirectTimeoutMs : config.detector.probeTimeoutMs));
      return;
    }
    this.probe = undefined;
    this.ctx.stats.probeFailures += 1;
    this.health = Math.min(config.detector.maxHealth, this.health + 1);
    this.ctx.raise({ type: 'probe-failed', peer: probe.target });
  }

  /** Asks `indirectProbes` neighbours not asked before (or any, once all were) to relay a ping to `target`. */
  private relay(target: PeerId, seq: number, asked: Set<PeerId>): void {
    const others = [...this.ctx.view.neighbors].filter((peer) => peer !== target);
    const fresh = others.filter((peer) => !asked.has(peer));
    const pool = fresh.length > 0 ? fresh : others;
    for (const helper of this.ctx.config.rng.sample(pool, this.ctx.config.detector.indirectProbes)) {
      asked.add(helper);
      this.ctx.raise({ type: 'relay-ping', helper, target, seq });
    }
  }

  /**
   * A link to `peer` closed without a goodbye. A lost DISCONNECT looks the
   * same as a crash, so before accusing, ask `indirectProbes` neighbours to
   * relay a ping, twice; if no ack comes back in time, the engine dials the
   * peer once more (see `verifyFailed`).
   */
  verify(peer: PeerId, lastHeard: number | undefined): void {
    if (this.verifying.has(peer)) return;
    if (![...this.ctx.view.neighbors].some((other) => other !== peer)) {
      // Nobody to relay through: go straight to the engine's next check.
      this.ctx.raise({ type: 'verify-failed', peer });
      return;
    }
    const config = this.ctx.config;
    // A peer that was talking to us a moment ago most likely closed the link on purpose (an
    // eviction whose DISCONNECT was lost), so give it longer; but never skip the check: a tab
    // whose page died right after a message, with its goodbye lost, must not linger as a ghost,
    // and in a small room nobody else would ever probe it.
    const recent = lastHeard !== undefined && this.ctx.now - lastHeard < 2 * config.detector.probeIntervalMs;
    this.seq += 1;
    const deadline = this.ctx.now + this.scaled(config.detector.probeTimeoutMs + config.detector.indirectTimeoutMs) + (recent ? 2 * config.detector.probeIntervalMs : 0);
    const check = { seq: this.seq, deadline, round: 1, helpers: new Set<PeerId>() };
    this.verifying.set(peer, check);
    this.relay(peer, check.seq, check.helpers);
    this.armVerify(deadline);
  }

  private armVerify(deadline: number): void {
    this.ctx.setTimer('verify', deadline);
  }

  onVerifyTimer(): void {
    let next = Infinity;
    const failed: PeerId[] = [];
    for (const [peer, check] of this.verifying) {
      if (check.deadline > this.ctx.now) {
        next = Math.min(next, check.deadline);
      } else if (check.round < this.ctx.config.detector.verifyRounds) {
        check.round += 1;
        check.deadline = this.ctx.now + this.scaled(this.ctx.config.detector.indirectTimeoutMs);
        this.relay(peer, check.seq, check.helpers);
        next = Math.min(next, check.deadline);
      } else {
        failed.push(peer);
      }
    }
    for (const peer of failed) this.verifying.delete(peer);
    if (next < Infinity) this.ctx.setTimer('verify', next);
    this.ctx.stats.verifyFailures += failed.length;
    for (const peer of failed) this.ctx.raise({ type: 'verify-failed', peer });
  }

  /** A direct or relayed ack arrived. */
  onAck(from: PeerId, seq: number): void {
    this.exchanged(from);
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
    if (probe.phase === 0) this.missRate *= 1 - this.ctx.config.detector.missRateWeight;
    this.probe = undefined;
    this.health = Math.max(0, this.health - 1);
    this.ctx.clearTimer('probe-timeout');
  }

  /** One of our timers fired late (our thread was starved): we may be the slow one. */
  noteLateTimer(): void {
    this.health = Math.min(this.ctx.config.detector.maxHealth, this.health + 1);
  }

  /** We had to refute a suspicion of ourselves: we may be the slow one (Lifeguard). */
  noteRefutation(): void {
    this.health = Math.min(this.ctx.config.detector.maxHealth, this.health + 1);
  }

  /**
   * Starts or confirms a suspicion of `peer` at `incarnation` by `accuser`;
   * `notBefore` defers its end. `patient`: the suspicion runs its full
   * Lifeguard maximum whatever the confirmations, because they are not
   * independent (a healed partition's dead records, softened to suspicions by
   * every tab that merges them, each broadcast as HEARSAY of its own), unless
   * we accused it ourselves (`accuser` is us and not `patient`: our probes failed).
   */
  suspect(peer: PeerId, incarnation: number, accuser: PeerId, notBefore = 0, patient = false): void {
    const config = this.ctx.config;
    const own = accuser === this.ctx.self && !patient;
    let suspicion = this.suspicions.get(peer);
    if (!suspicion || suspicion.incarnation !== incarnation) {
      const live = this.ctx.view.liveCount + 1;
      const minMs = suspicionMinMs(config.detector.suspicionMult, live, config.detector.probeIntervalMs, config.detector.suspicionMinScale);
      const maxMs = minMs * config.detector.suspicionMaxMult;
      suspicion = openSuspicion(incarnation, accuser, this.ctx.now, minMs, maxMs, expectedConfirmations(config.detector.suspicionConfirmations, live), own);
      this.suspicions.set(peer, suspicion);
      // Others accuse a neighbour of ours: check it now, to confirm or to tell it to refute.
      if (accuser !== this.ctx.self && this.ctx.view.neighbors.has(peer)) {
        if (this.probe === undefined) this.startProbe(peer, CONFIRM_PHASES);
        else if (this.probe.target !== peer) this.urgent.add(peer);
      }
      holdPatience(suspicion, patient, notBefore);
    } else if (!accuse(suspicion, accuser, own, patient, notBefore)) {
      return;
    }
    this.armSuspicion();
  }

  clearSuspicion(peer: PeerId): void {
    this.urgent.delete(peer);
    if (this.suspicions.delete(peer)) this.armSuspicion();
  }

  /** The suspicion timer follows the earliest deadline exactly (a cleared suspicion may make it later). */
  private armSuspicion(): void {
    let next = Infinity;
    for (const suspicion of this.suspicions.values()) next = Math.min(next, suspicion.deadline);
    this.ctx.resetTimer('suspicion', next);
  }

  /**
   * `peer` is a neighbour we heard from since it fell under suspicion (or
   * since our last check of it), or, when we hold no suspicion of it, within
   * the last probe period. A crashed tab sends nothing after its neighbours'
   * failed probes accused it, so this only holds for a live one whose
   * refutation we missed (a lost IHAVE, a parent that left before passing
   * it on) or that has yet to hear it is suspected.
   */
  vouches(peer: PeerId): boolean {
    if (!this.ctx.view.neighbors.has(peer)) return false;
    const heard = this.lastHeard.get(peer);
    if (heard === undefined) return false;
    const suspicion = this.suspicions.get(peer);
    if (suspicion !== undefined) return heard > suspicion.checkedAt;
    return this.ctx.now - heard < this.scaled(this.ctx.config.detector.probeIntervalMs);
  }

  onSuspicionTimer(): void {
    const expired: Array<[PeerId, number]> = [];
    for (const [peer, suspicion] of this.suspicions) {
      if (suspicion.deadline > this.ctx.now) continue;
      if (this.vouches(peer)) {
        // Our own link says it is alive: no verdict from us. Ping it now (the ping tells it it is
        // suspected, so it refutes, or hands us its record) and look again after the minimum.
        this.ctx.stats.verdictsHeld += 1;
        suspicion.checkedAt = this.ctx.now;
        suspicion.deadline = this.ctx.now + this.scaled(suspicion.minMs);
        if (this.probe === undefined) this.startProbe(peer, CONFIRM_PHASES);
        else if (this.probe.target !== peer) this.urgent.add(peer);
        continue;
      }
      if (!suspicion.accusers.has(this.ctx.self) && !this.ctx.config.roomMembership) {
        // Without room-wide membership nothing repairs a refutation we missed: a tab that never tried
        // the suspect itself takes the verdict of those that did, and never reaches one of its own.
        this.suspicions.delete(peer);
        continue;
      }
      if (!suspicion.accusers.has(this.ctx.self) && !suspicion.graced) {
        // We never failed to reach it ourselves: the accusers' verdict is on its way; judge only if it is lost.
        suspicion.graced = true;
        suspicion.deadline = this.ctx.now + this.scaled(this.ctx.config.detector.nonAccuserGracePeriods * this.ctx.config.detector.probeIntervalMs);
        continue;
      }
      expired.push([peer, suspicion.incarnation]);
    }
    for (const [peer] of expired) this.suspicions.delete(peer);
    this.armSuspicion();
    for (const [peer, incarnation] of expired) this.ctx.raise({ type: 'suspicion-expired', peer, incarnation });
  }

  /** Test-only: what must always hold. */
  checkInvariants(): string | undefined {
    if (this.probe !== undefined) {
      if (!this.ctx.view.neighbors.has(this.probe.target)) return `probing ${this.probe.target}, not a neighbour`;
      if (this.ctx.deadline('probe-timeout') === undefined) return 'a probe with no timeout armed';
    }
    let next = Infinity;
    for (const suspicion of this.suspicions.values()) next = Math.min(next, suspicion.deadline);
    if (!this.ctx.deferred.has('suspicion') && (this.ctx.deadline('suspicion') ?? Infinity) !== next) return `suspicion timer at ${String(this.ctx.deadline('suspicion'))}, earliest deadline ${next}`;
    for (const check of this.verifying.values()) {
      if (!this.ctx.deferred.has('verify') && (this.ctx.deadline('verify') ?? Infinity) > check.deadline) return 'a verification with no timer armed by its deadline';
    }
    if (this.health < 0 || this.health > this.ctx.config.detector.maxHealth) return `health ${this.health}`;
    return undefined;
  }
}
