/**
 * Hostile members against routing and the overlay (issue 13): ROUTE frames
 * with a forged origin that redirect direct messages, ROUTE floods that grow
 * the routing table, FORWARD_JOINs that force dials. Each test asserts the
 * defended behaviour and is `it.fails` until the engine's defences land;
 * each prints the figure it measured (docs/ATTACKS.md).
 */
import { describe, expect, it } from 'vitest';
import type { PeerId } from '../engine/types.js';
import { toAll } from './adversary.js';
import { forgedRoute, forwardJoin, madeUpIds } from './adversary-frames.js';
import { ATTACK, HONEST, MALLORY, routingEntries, settledRoom } from './adversary-room.js';

const { seed: SEED, at: ATTACK_AT, victim: VICTIM, timeoutMs: TIMEOUT_MS } = ATTACK;
const text = new TextEncoder();
const untext = new TextDecoder();
/** An id no tab holds: a ROUTE frame for it with ttl 1 goes no further than its first hop. */
const NOWHERE = 'nowhere';

describe('hostile members: routing and the overlay', () => {
  // flips to it() when issue 13's engine defences land
  it.fails('ROUTE frames with a forged origin do not redirect direct messages for that peer', () => {
    let intercepted = 0;
    const room = settledRoom(SEED, {
      schedule: [{ at: ATTACK_AT, every: 500, until: ATTACK_AT + 10_000, run: (ctx) => toAll(ctx, forgedRoute(VICTIM, NOWHERE, 1, { kind: 'ping', seq: 1 })) }],
      onFrame: (_from, frame) => {
        if (frame.type !== 'route' || frame.to !== VICTIM || frame.content.kind !== 'app') return undefined;
        intercepted += 1;
        return { swallow: true };
      },
    });
    let delivered = 0;
    room.sim.observers.push({
      onEvent: (at, output) => {
        if (at === VICTIM && output.type === 'routed' && untext.decode(output.payload).startsWith('dm:')) delivered += 1;
      },
    });
    const messages = 20;
    let senders: PeerId[] = [];
    room.sim.schedule(ATTACK_AT + 1000, () => {
      const victimLinks = room.engine(VICTIM).neighbors();
      senders = [...room.engine(MALLORY).neighbors()].filter((id) => id !== VICTIM && !victimLinks.has(id));
      for (let i = 0; i < messages; i++) {
        room.sim.command(senders[i % senders.length] as PeerId, { type: 'route', to: VICTIM, payload: text.encode(`dm:${i}`) }, room.sim.now + i * 200);
      }
    });
    room.sim.runUntil(ATTACK_AT + 10_000);
    console.log(`route poisoning: ${intercepted} of ${messages} direct messages to ${VICTIM} (from ${senders.length} of ${MALLORY}'s neighbours) intercepted, ${delivered} delivered`);
    expect(senders.length).toBeGreaterThan(0);
    expect(intercepted).toBe(0);
    expect(delivered).toBe(messages);
  }, TIMEOUT_MS);

  it('50,000 ROUTE frames from made-up origins leave a bounded routing table', () => {
    const ghosts = madeUpIds(50_000);
    let target: PeerId | undefined;
    const room = settledRoom(SEED, {
      schedule: [
        {
          at: ATTACK_AT,
          every: 20,
          until: ATTACK_AT + 49 * 20,
          run: (ctx) => {
            target ??= ctx.neighbors()[0] as PeerId;
            const batch = Math.round((ctx.now - ATTACK_AT) / 20);
            return ghosts.slice(batch * 1000, (batch + 1) * 1000).map((ghost) => ({ to: target as PeerId, bytes: forgedRoute(ghost, NOWHERE, 1, { kind: 'ping', seq: 1 }) }));
          },
        },
      ],
    });
    const before = routingEntries(room.engine(room.honestIds[0] as PeerId));
    room.sim.runUntil(ATTACK_AT + 5000);
    const entries = routingEntries(room.engine(target as PeerId));
    console.log(`routing table: ${target} holds ${entries} routing entries after ${room.adversary(MALLORY).counters.framesInjected} ROUTE frames (an untouched peer held ${before})`);
    expect(entries).toBeLessThanOrEqual(4 * HONEST);
  }, TIMEOUT_MS);

  // flips to it() when issue 13's engine defences land (holding such dials until the named id's record arrives
  // blocked it, 1 forced dial, but moved bench:sim --scenario partition seed 1 from a 4.5 s merge to 10.5 s;
  // a per-neighbour quota blocked it too but slowed the N=1,000 latency: docs/TRUST-ENGINE.md step 2)
  it.fails('FORWARD_JOIN naming made-up ids does not force dials', () => {
    const window = 30_000;
    const attackAt = ATTACK_AT + window;
    const ghosts = madeUpIds(10_000);
    let next = 0;
    const room = settledRoom(SEED, {
      schedule: [{ at: attackAt, every: 1000, until: attackAt + window - 1, run: (ctx) => ctx.neighbors().map((to) => ({ to, bytes: forwardJoin(ghosts[next++] as PeerId) })) }],
    });
    room.sim.runUntil(ATTACK_AT);
    const start = room.connects();
    room.sim.runUntil(attackAt);
    const baseline = room.connects() - start;
    room.sim.runUntil(attackAt + window);
    const forced = room.connects() - start - baseline;
    console.log(`forced dials: ${forced} connect outputs room-wide in ${window / 1000} s under ${next} FORWARD_JOINs, against ${baseline} in the ${window / 1000} s before`);
    expect(forced).toBeLessThanOrEqual(baseline + 10);
  }, TIMEOUT_MS);
});
