import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents } from '../../test/layer-context.js';
import { FailureDetector } from './failure-detector.js';
import { suspicionMinMs } from './maths.js';

function detector() {
  const { ctx, view } = layerContext();
  for (const peer of ['a', 'b', 'c', 'd', 'e']) {
    view.neighbors.add(peer);
    view.statuses.set(peer, 'alive');
  }
  return { ctx, view, layer: new FailureDetector(ctx) };
}

/** Fires `timer` at its deadline. */
function fire(ctx: ReturnType<typeof layerContext>['ctx'], timer: 'probe' | 'probe-timeout' | 'suspicion' | 'verify', run: () => void): void {
  ctx.now = ctx.deadline(timer) ?? ctx.now;
  ctx.fired(timer);
  run();
}

describe('FailureDetector alone', () => {
  it('probes a neighbour, then retries, relays through helpers, and raises probe-failed when nothing answers', () => {
    const { ctx, layer } = detector();
    layer.start();
    fire(ctx, 'probe', () => layer.onProbeTimer());
    const first = takeEvents(ctx);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ type: 'ping', first: true });
    const target = (first[0] as { target: string }).target;
    const raised = [];
    while (ctx.deadline('probe-timeout') !== undefined) {
      fire(ctx, 'probe-timeout', () => layer.onProbeTimeout());
      raised.push(...takeEvents(ctx));
    }
    expect(raised.filter((e) => e.type === 'ping').every((e) => e.type === 'ping' && !e.first && e.target === target)).toBe(true);
    // Two relayed rounds, the second through helpers not asked in the first: all four other neighbours, once each.
    const helpers = raised.flatMap((e) => (e.type === 'relay-ping' ? [e.helper] : []));
    expect(helpers.sort()).toEqual(['a', 'b', 'c', 'd', 'e'].filter((peer) => peer !== target));
    expect(raised.at(-1)).toEqual({ type: 'probe-failed', peer: target });
    expect(layer.health).toBe(1);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('an ack ends the probe and disarms its timeout', () => {
    const { ctx, layer } = detector();
    layer.start();
    fire(ctx, 'probe', () => layer.onProbeTimer());
    const ping = takeEvents(ctx)[0] as { target: string; seq: number };
    layer.onAck(ping.target, ping.seq);
    expect(ctx.deadline('probe-timeout')).toBeUndefined();
    expect(layer.rtt.has(ping.target)).toBe(true);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('a suspicion by others runs out (after a grace period for non-accusers) into suspicion-expired', () => {
    const { ctx, layer } = detector();
    layer.suspect('a', 0, 'b');
    expect(takeEvents(ctx)).toMatchObject([{ type: 'ping', target: 'a' }]); // a confirming probe at once
    expect(layer.checkInvariants()).toBeUndefined();
    let expired;
    for (let i = 0; i < 3 && !expired; i++) {
      fire(ctx, 'suspicion', () => layer.onSuspicionTimer());
      expired = takeEvents(ctx).find((e) => e.type === 'suspicion-expired');
    }
    expect(expired).toEqual({ type: 'suspicion-expired', peer: 'a', incarnation: 0 });
    expect(ctx.deadline('suspicion')).toBeUndefined();
  });

  it('confirmations shorten a suspicion, but not a patient one (a healed partition\'s softened records), which runs its full length', () => {
    const deadlineAfter = (patient: boolean): number => {
      const { ctx, layer } = detector();
      layer.suspect('a', 0, 'me', 0, patient);
      for (const accuser of ['b', 'c', 'd', 'e']) layer.suspect('a', 0, accuser);
      return (ctx.deadline('suspicion') as number) - ctx.now;
    };
    const { ctx } = detector();
    const { suspicionMult, probeIntervalMs, suspicionMinScale, suspicionMaxMult } = ctx.config.detector;
    // The detector counts five live members and itself.
    const maxMs = suspicionMinMs(suspicionMult, 6, probeIntervalMs, suspicionMinScale) * suspicionMaxMult;
    expect(deadlineAfter(false)).toBeLessThan(maxMs);
    expect(deadlineAfter(true)).toBe(maxMs);
  });

  it('our own accusation is not made patient by hearsay, before or after it', () => {
    const deadlineAfter = (order: 'hearsay-first' | 'own-first'): number => {
      const { ctx, layer } = detector();
      if (order === 'hearsay-first') layer.suspect('a', 0, 'b', 0, true);
      layer.suspect('a', 0, 'me');
      if (order === 'own-first') layer.suspect('a', 0, 'b', 0, true);
      for (const accuser of ['c', 'd', 'e']) layer.suspect('a', 0, accuser);
      return (ctx.deadline('suspicion') as number) - ctx.now;
    };
    const { ctx } = detector();
    const { suspicionMult, probeIntervalMs, suspicionMinScale, suspicionMaxMult } = ctx.config.detector;
    const maxMs = suspicionMinMs(suspicionMult, 6, probeIntervalMs, suspicionMinScale) * suspicionMaxMult;
    expect(deadlineAfter('hearsay-first')).toBeLessThan(maxMs);
    expect(deadlineAfter('own-first')).toBeLessThan(maxMs);
  });

  it('clearing the only suspicion disarms its timer', () => {
    const { ctx, layer } = detector();
    layer.suspect('a', 0, 'me');
    expect(ctx.deadline('suspicion')).toBeDefined();
    layer.clearSuspicion('a');
    expect(ctx.deadline('suspicion')).toBeUndefined();
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('a lost neighbour is checked over relayed pings, then reported as verify-failed', () => {
    const { ctx, view, layer } = detector();
    view.neighbors.delete('a');
    layer.verify('a', undefined);
    expect(takeEvents(ctx).filter((e) => e.type === 'relay-ping')).toHaveLength(ctx.config.detector.indirectProbes);
    let failed;
    for (let i = 0; i < 3 && !failed; i++) {
      fire(ctx, 'verify', () => layer.onVerifyTimer());
      failed = takeEvents(ctx).find((e) => e.type === 'verify-failed');
    }
    expect(failed).toEqual({ type: 'verify-failed', peer: 'a' });
  });
});
