/**
 * A hostile peer for the simulator: a real GossipEngine (so the attacker is
 * a normal, live member with links, probes and broadcasts of its own) plus
 * crafted frames injected on its links, at scheduled times or in reply to
 * what it receives, and optionally frames it swallows instead of relaying.
 *
 * It is plugged in through the simulator's `createEngine` like any node and
 * speaks only bytes (see adversary-frames.ts): nothing reaches an honest
 * engine that a modified tab could not send.
 */
import type { Engine, EngineInput, EngineOutput, PeerId } from '../engine/types.js';
import type { GossipEngine } from '../gossip/gossip-engine.js';
import { DEFAULT_WIRE_LIMITS } from '../gossip/wire/limits.js';
import { decodeFrame, type Frame } from '../gossip/wire/frames.js';

/** What an attack sees when it runs. */
export interface AdversaryContext {
  readonly self: PeerId;
  readonly now: number;
  /** The honest engine inside: its member table tells the attacker current incarnations. */
  readonly inner: GossipEngine;
  /** Neighbours with an open, active link (where crafted bytes can go). */
  neighbors(): PeerId[];
  /** A fresh broadcast sequence number for a forged message (far above any real one). */
  nextSeq(): number;
}

/** Returns the crafted bytes to send: `{ to, bytes }` pairs. */
export type Attack = (ctx: AdversaryContext) => Array<{ to: PeerId; bytes: Uint8Array }>;

export interface ScheduledAttack {
  /** First run, virtual ms. */
  at: number;
  run: Attack;
  /** Repeat this often, ms, while `now` ≤ `until`. */
  every?: number;
  until?: number;
}

/** What to do about a frame the adversary received (after decoding it). */
export interface Reaction {
  /** Keep it from the inner engine (it is not answered, relayed or delivered). */
  swallow?: boolean;
  send?: Array<{ to: PeerId; bytes: Uint8Array }>;
}

export interface AdversaryOptions {
  schedule?: readonly ScheduledAttack[];
  onFrame?: (from: PeerId, frame: Frame, bytes: Uint8Array, ctx: AdversaryContext) => Reaction | undefined;
}

/** Timers the adversary keeps for itself (never handed to the inner engine). */
const TIMER_PREFIX = 'adversary:';

export class Adversary implements Engine {
  readonly selfId: PeerId;
  readonly inner: GossipEngine;
  readonly counters = { framesInjected: 0, bytesInjected: 0, swallowed: 0 };
  private readonly options: AdversaryOptions;
  private seq = 2 ** 31;
  private now = 0;

  constructor(inner: GossipEngine, options: AdversaryOptions) {
    this.inner = inner;
    this.selfId = inner.selfId;
    this.options = options;
  }

  private context(): AdversaryContext {
    return {
      self: this.selfId,
      now: this.now,
      inner: this.inner,
      neighbors: () => [...this.inner.neighbors()],
      nextSeq: () => ++this.seq,
    };
  }

  handle(input: EngineInput, now: number): EngineOutput[] {
    this.now = now;
    if (input.type === 'timer' && input.timer.startsWith(TIMER_PREFIX)) return this.runScheduled(Number(input.timer.slice(TIMER_PREFIX.length)));
    const extra: EngineOutput[] = [];
    if (input.type === 'start') {
      this.options.schedule?.forEach((attack, i) => extra.push({ type: 'set-timer', timer: `${TIMER_PREFIX}${i}`, at: attack.at }));
    }
    if (input.type === 'receive' && this.options.onFrame) {
      let frame: Frame | undefined;
      try {
        frame = decodeFrame(input.bytes, DEFAULT_WIRE_LIMITS);
      } catch {
        frame = undefined; // the inner engine counts it as malformed
      }
      const reaction = frame && this.options.onFrame(input.from, frame, input.bytes, this.context());
      if (reaction?.send) extra.push(...this.sends(reaction.send));
      if (reaction?.swallow) {
        this.counters.swallowed += 1;
        return extra;
      }
    }
    return [...this.inner.handle(input, now), ...extra];
  }

  private runScheduled(index: number): EngineOutput[] {
    const attack = this.options.schedule?.[index];
    if (!attack) return [];
    const out = this.sends(attack.run(this.context()));
    if (attack.every !== undefined && this.now + attack.every <= (attack.until ?? Infinity)) {
      out.push({ type: 'set-timer', timer: `${TIMER_PREFIX}${index}`, at: this.now + attack.every });
    }
    return out;
  }

  private sends(list: ReadonlyArray<{ to: PeerId; bytes: Uint8Array }>): EngineOutput[] {
    return list.map(({ to, bytes }) => {
      this.counters.framesInjected += 1;
      this.counters.bytesInjected += bytes.length;
      return { type: 'send', to, bytes };
    });
  }
}

/** The same bytes to every neighbour. */
export function toAll(ctx: AdversaryContext, bytes: Uint8Array): Array<{ to: PeerId; bytes: Uint8Array }> {
  return ctx.neighbors().map((to) => ({ to, bytes }));
}
