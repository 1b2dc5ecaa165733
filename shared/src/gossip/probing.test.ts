/**
 * How the failure detector spends its probes (failure-detector.ts): one
 * exchange serves both ends of a link, the schedule does not bunch up after
 * traffic, and a lost ping or ack is retried before anyone is accused.
 */
import { describe, expect, it } from 'vitest';
import type { EngineOutput } from '../engine/types.js';
import { createPrng } from '../prng.js';
import { Room, peerIds, type Verdict } from '../sim/room.js';
import { simTrust } from '../sim/sim-trust.js';
import { GossipEngine } from './gossip-engine.js';
import { encodeGossipBody } from './wire/gossip-body.js';
import { decodeFrame, encodeFrame, encodeGossipFrame } from './wire/frames.js';
import { DEFAULT_WIRE_LIMITS } from './wire/limits.js';

function countPings(room: Room, filter: (from: string, to: string) => boolean = () => true): { pings: number; firstAt: (to: string) => number | undefined } {
  const first = new Map<string, number>();
  const counter = { pings: 0, firstAt: (to: string) => first.get(to) };
  room.sim.observers.push({
    onSend: (from, to, bytes, now) => {
      if (decodeFrame(bytes, DEFAULT_WIRE_LIMITS).type !== 'ping' || !filter(from, to)) return;
      counter.pings += 1;
      if (!first.has(to)) first.set(to, now);
    },
  });
  return counter;
}

describe('probing', () => {
  it('checks an idle link from one end at a time: about one ping per period between two tabs, not two', () => {
    const room = new Room({ seed: 11 });
    room.sim.join('a', 0);
    room.sim.join('b', 0);
    room.sim.runUntil(10_000);
    const counter = countPings(room);
    room.sim.runUntil(70_000);
    // Each of the two probing every period would send 120 in 60 s; a link left unchecked for 3 s would send under 20.
    expect(counter.pings).toBeLessThanOrEqual(60);
    expect(counter.pings).toBeGreaterThanOrEqual(20);
    expect(room.verdicts).toEqual([]);
  });

  it('probes a peer that crashed right after a burst of traffic about as soon as one that crashed in quiet', () => {
    const room = new Room({ seed: 12 });
    const ids = peerIds(24);
    ids.forEach((id, i) => room.sim.join(id, i * 100));
    room.sim.runUntil(30_000);
    const victims = ids.slice(3, 11);
    const delays: number[] = [];
    for (const victim of victims) {
      // Traffic on every link (an app broadcast from everyone), then the victim crashes at once.
      const burstAt = room.sim.now;
      for (const id of room.sim.upNodes()) room.sim.command(id, { type: 'broadcast', payload: Uint8Array.of(1) }, burstAt);
      room.sim.runUntil(burstAt + 500);
      const crashAt = room.sim.now;
      room.sim.crash(victim, crashAt);
      const counter = countPings(room, (_from, to) => to === victim);
      room.sim.runUntil(crashAt + 20_000);
      delays.push((counter.firstAt(victim) ?? Infinity) - crashAt);
      expect(room.verdicts.filter((v) => v.peer === victim && v.reason === 'dead').length).toBe(room.sim.upNodes().length);
    }
    // A probe schedule reset by any traffic waits about a whole cycle (a period per link: 6.2 s median
    // here when measured) after a burst; a memoryless one about 1.5 periods, whatever came before.
    const median = delays.slice().sort((a, b) => a - b)[delays.length / 2] as number;
    expect(median).toBeLessThanOrEqual(4500);
    expect(room.falseDead).toEqual([]);
  });

  it('retries a lost ping before accusing: no suspicion in an idle room at 10% loss', () => {
    const room = new Room({ seed: 13, network: { loss: 0.1 }, trackViews: false });
    const ids = peerIds(40);
    ids.forEach((id, i) => room.sim.join(id, i * 100));
    room.sim.runUntil(20_000);
    let suspicions = 0;
    room.sim.observers.push({
      onSend: (_from, _to, bytes) => {
        const frame = decodeFrame(bytes, DEFAULT_WIRE_LIMITS);
        if (frame.type === 'gossip' && frame.body.kind === 'suspect' && frame.round === 1) suspicions += 1;
      },
    });
    room.sim.runUntil(200_000);
    const probes = ids.reduce((sum, id) => sum + room.engine(id).stats.probes, 0);
    expect(probes).toBeGreaterThan(1000);
    expect(suspicions).toBe(0);
    expect(room.falseDead).toEqual([]);
  });

  it('declares a tab that died moments after a two-tab room formed without waiting out the quiet period', () => {
    const delays: number[] = [];
    for (const seed of [21, 22, 23, 24, 25]) {
      const room = new Room({ seed });
      room.sim.join('a', 0);
      room.sim.join('b', 0);
      room.sim.runUntil(1000);
      room.sim.crash('b', 1000);
      room.sim.runUntil(30_000);
      const verdict = room.verdicts.find((v) => v.observer === 'a' && v.peer === 'b');
      expect(verdict?.reason).toBe('dead');
      delays.push((verdict as Verdict).at - 1000);
    }
    // A newcomer judges once its first anti-entropy exchange synced it, not 3 periods (9 s) after its first link.
    expect(Math.max(...delays)).toBeLessThan(6000);
  });

  for (const roomMembership of [true, false]) {
    it(`${roomMembership ? 'judges' : 'never judges'} a stranger others suspect when it ${roomMembership ? 'has' : 'lacks'} room-wide membership`, () => {
      // a links to b, then hears from b that x (never a neighbour of a) is suspected, and no refutation.
      const pair = linkedPair(roomMembership);
      pair.now = 20_000;
      pair.deliverToA(encodeGossipFrame('b', 99, 1, encodeGossipBody({ kind: 'suspect', peer: 'x', incarnation: 0 })));
      expect(pair.a.member('x')?.status).toBe('suspect');
      pair.runTimersUntil(60_000);
      expect(pair.verdicts.includes('x:dead')).toBe(roomMembership);
    });
  }

  it('outranks its current incarnation when a probe says it is suspected', () => {
    const pair = linkedPair(true);
    const before = pair.a.snapshot().incarnation;
    pair.now = 5000;
    pair.deliverToA(encodeFrame({ type: 'ping', seq: 1, suspected: true, digest: [] }));
    expect(pair.a.snapshot().incarnation).toBe(before + 1);
    // Repeated flags within a period do not bump again (the refutation is still spreading).
    pair.deliverToA(encodeFrame({ type: 'ping', seq: 2, suspected: true, digest: [] }));
    expect(pair.a.snapshot().incarnation).toBe(before + 1);
  });
});

/** Engines a and b linked (b answers a at once, no loss); a's timers are run by hand. */
function linkedPair(roomMembership: boolean) {
  const a = new GossipEngine({ selfId: 'a', rng: createPrng(3), trust: simTrust('a'), roomMembership });
  const b = new GossipEngine({ selfId: 'b', rng: createPrng(4), trust: simTrust('b'), roomMembership });
  const timers = new Map<string, number>();
  const verdicts: string[] = [];
  const pair = {
    a,
    verdicts,
    now: 0,
    feedA(outputs: EngineOutput[]): void {
      for (const output of outputs) {
        if (output.type === 'set-timer') timers.set(output.timer, output.at);
        if (output.type === 'clear-timer') timers.delete(output.timer);
        if (output.type === 'peer-leave') verdicts.push(`${output.peer}:${output.reason}`);
        if (output.type !== 'send' || output.to !== 'b') continue;
        for (const reply of b.handle({ type: 'receive', from: 'a', bytes: output.bytes }, pair.now)) {
          if (reply.type === 'send') pair.deliverToA(reply.bytes);
        }
      }
    },
    deliverToA(bytes: Uint8Array): void {
      pair.feedA(a.handle({ type: 'receive', from: 'b', bytes }, pair.now));
    },
    runTimersUntil(until: number): void {
      while (pair.now < until && timers.size > 0) {
        const [timer, at] = [...timers].sort((p, q) => p[1] - q[1])[0] as [string, number];
        timers.delete(timer);
        pair.now = Math.max(pair.now, at);
        pair.feedA(a.handle({ type: 'timer', timer }, pair.now));
      }
    },
  };
  pair.feedA(a.handle({ type: 'start' }, 0));
  b.handle({ type: 'start' }, 0);
  pair.feedA(a.handle({ type: 'discovered', peers: ['b'] }, 0));
  b.handle({ type: 'link-up', peer: 'a' }, 0);
  pair.feedA(a.handle({ type: 'link-up', peer: 'b' }, 0));
  expect(a.snapshot().active).toEqual(['b']);
  return pair;
}
