import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents } from '../../test/layer-context.js';
import { Liveness, UNCHECKED_DIALS } from './liveness.js';
import { Membership } from './membership.js';
import { memberRecord, signedLeft, signedPresence } from '../sim/sim-trust.js';

function liveness() {
  const { ctx, view } = layerContext();
  const membership = new Membership('me', 0);
  const layer = new Liveness(ctx, membership);
  return { ctx, view, membership, layer };
}

describe('Liveness alone', () => {
  it('a member heard from itself joins; a DEAD verdict makes it leave and be forgotten by every layer', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 2);
    expect(ctx.out).toContainEqual({ type: 'peer-join', peer: 'a', presence: {} });
    layer.applyGossip('b', { kind: 'suspect', peer: 'a', incarnation: 2 });
    takeEvents(ctx);
    ctx.out = [];
    expect(layer.applyGossip('b', { kind: 'dead', peer: 'a', incarnation: 2 })).toBe(true);
    expect(ctx.out).toEqual([{ type: 'peer-leave', peer: 'a', reason: 'dead' }]);
    expect(takeEvents(ctx)).toEqual([
      { type: 'clear-suspicion', peer: 'a' },
      { type: 'member-gone', peer: 'a' },
    ]);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('refutes a suspicion of itself with a higher incarnation, once', () => {
    const { ctx, membership, layer } = liveness();
    layer.applyGossip('b', { kind: 'suspect', peer: 'me', incarnation: 0 });
    expect(membership.self.incarnation).toBe(1);
    // A refutation is pushed on every link of ours, not only the tree ones (broadcast.ts).
    expect(takeEvents(ctx)).toEqual([{ type: 'refuted' }, { type: 'publish', body: { kind: 'alive', incarnation: 1 }, pushAll: true }]);
    // The same stale accusation again within a probe period: our refutation is still spreading.
    layer.applyGossip('c', { kind: 'suspect', peer: 'me', incarnation: 0 });
    expect(takeEvents(ctx)).toEqual([]);
  });

  it('a newcomer leaves verdicts to others until its quiet period ends or it has synced', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    layer.announce();
    layer.applyGossip('b', { kind: 'suspect', peer: 'a', incarnation: 0 });
    takeEvents(ctx);
    layer.declareDead('a', 0);
    expect(takeEvents(ctx)).toMatchObject([{ type: 'suspect', peer: 'a', accuser: 'me', notBefore: 3 * ctx.config.antiEntropy.intervalMs }]);
    layer.synced();
    layer.declareDead('a', 0);
    expect(takeEvents(ctx)).toEqual([{ type: 'publish', body: { kind: 'dead', peer: 'a', incarnation: 0 } }]);
  });

  it('a failed verification redials before accusing; a redial that produces no link in time accuses', () => {
    const { ctx, view, layer } = liveness();
    layer.heardAlive('a', 0);
    takeEvents(ctx);
    view.dialing.add('a'); // the router hands the dial to the overlay at once
    layer.redial('a');
    expect(takeEvents(ctx)).toEqual([{ type: 'dial', peer: 'a', intent: 'low' }]);
    ctx.now = 3000;
    layer.checkRedials();
    expect(takeEvents(ctx)).toEqual([{ type: 'publish', body: { kind: 'suspect', peer: 'a', incarnation: 0 } }]);
  });

  it('merges an anti-entropy DEAD about a member held alive as a suspicion it spreads and judges at full length', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    takeEvents(ctx);
    layer.mergeRecord(memberRecord('a', 0, 'dead'), 'b');
    const events = takeEvents(ctx);
    expect(events).toContainEqual({ type: 'suspect', peer: 'a', incarnation: 0, accuser: 'me', notBefore: 0, patient: true });
    expect(events).toContainEqual({ type: 'publish', body: { kind: 'suspect', peer: 'a', incarnation: 0, hearsay: true } });
  });

  it('spreads an anti-entropy SUSPECT about a member held alive (its gossip may have gone round one side of a heal only)', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    takeEvents(ctx);
    const record = memberRecord('a', 0, 'suspect');
    layer.mergeRecord(record, 'b');
    // Held, not judged (a suspicion copied from a digest may be long refuted), and not spread yet: the
    // record usually outruns its own broadcast by a hop or two.
    expect(takeEvents(ctx)).toEqual([]);
    layer.spreadUnheard();
    expect(takeEvents(ctx)).toEqual([]);
    // The broadcast has not come a graft timeout later: spread it, once.
    ctx.now += ctx.config.broadcast.graftTimeoutMs;
    layer.spreadUnheard();
    expect(takeEvents(ctx)).toEqual([{ type: 'publish', body: { kind: 'suspect', peer: 'a', incarnation: 0, hearsay: true } }]);
    layer.mergeRecord(record, 'c');
    layer.spreadUnheard();
    expect(takeEvents(ctx)).toEqual([]);
  });

  it('a suspicion record whose broadcast then arrives is not spread again', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    takeEvents(ctx);
    layer.mergeRecord(memberRecord('a', 0, 'suspect'), 'b');
    layer.applyGossip('c', { kind: 'suspect', peer: 'a', incarnation: 0 });
    takeEvents(ctx);
    ctx.now += ctx.config.broadcast.graftTimeoutMs;
    layer.spreadUnheard();
    expect(takeEvents(ctx)).toEqual([]);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('hearsay is judged at full length: its accusers are not independent', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    takeEvents(ctx);
    layer.applyGossip('b', { kind: 'suspect', peer: 'a', incarnation: 0, hearsay: true });
    expect(takeEvents(ctx)).toContainEqual({ type: 'suspect', peer: 'a', incarnation: 0, accuser: 'b', notBefore: 0, patient: true });
    layer.applyGossip('c', { kind: 'suspect', peer: 'a', incarnation: 0 });
    expect(takeEvents(ctx)).toContainEqual({ type: 'suspect', peer: 'a', incarnation: 0, accuser: 'c', notBefore: 0, patient: false });
  });

  it('a DEAD whose accusation never reached us is held as a suspicion; after the SUSPECT it is applied', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    layer.heardAlive('c', 0);
    takeEvents(ctx);
    ctx.out = [];
    expect(layer.applyGossip('b', { kind: 'dead', peer: 'a', incarnation: 0 })).toBe(true);
    expect(ctx.out).toEqual([]);
    expect(ctx.stats.verdictsUnaccused).toBe(1);
    expect(takeEvents(ctx)).toEqual([{ type: 'suspect', peer: 'a', incarnation: 0, accuser: 'b', notBefore: 0, patient: false }]);
    // Now held suspect: the next DEAD is applied.
    layer.applyGossip('b', { kind: 'dead', peer: 'a', incarnation: 0 });
    expect(ctx.out).toEqual([{ type: 'peer-leave', peer: 'a', reason: 'dead' }]);
    // A DEAD at a higher incarnation than we hold is not 'unaccused': we missed a refutation and what followed.
    ctx.out = [];
    layer.applyGossip('b', { kind: 'dead', peer: 'c', incarnation: 1 });
    expect(ctx.out).toEqual([{ type: 'peer-leave', peer: 'c', reason: 'dead' }]);
    expect(ctx.stats.verdictsUnaccused).toBe(1);
  });
});

describe('Liveness with expiring tombstones', () => {
  function expiring() {
    const { ctx } = layerContext('me', { limits: { tombstoneTtlMs: 60_000 } });
    const membership = new Membership('me', 0, ctx.config.limits);
    const layer = new Liveness(ctx, membership);
    return { ctx, membership, layer };
  }

  it('the reconnect timer drops expired tombstones and every layer forgets them; an old ALIVE then changes nothing', () => {
    const { ctx, membership, layer } = expiring();
    layer.heardAlive('a', 3);
    layer.applyGossip('b', { kind: 'suspect', peer: 'a', incarnation: 3 });
    layer.applyGossip('b', { kind: 'dead', peer: 'a', incarnation: 3 });
    takeEvents(ctx);
    ctx.out = [];
    ctx.now = 60_000;
    layer.onReconnectTimer();
    expect(takeEvents(ctx)).toContainEqual({ type: 'member-gone', peer: 'a' });
    expect(membership.get('a')).toBeUndefined();
    expect(layer.applyGossip('a', { kind: 'alive', incarnation: 3 })).toBe(false);
    layer.mergeRecord(memberRecord('a', 2, 'alive', 4, { x: 1 }), 'n');
    expect(layer.applyGossip('a', { kind: 'presence', ...signedPresence('a', 9, { x: 2 }) })).toBe(false);
    expect(membership.get('a')).toBeUndefined();
    expect(ctx.out.filter((o) => o.type === 'peer-join')).toEqual([]);
    expect(layer.mayLink('a')).toBe(false);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('a tab rejoining with a higher incarnation after its tombstone expired joins again', () => {
    const { ctx, membership, layer } = expiring();
    layer.heardAlive('a', 1_700_000_000);
    layer.applyGossip('a', signedLeft('a', 1_700_000_000));
    ctx.now = 61_000;
    layer.onReconnectTimer();
    ctx.out = [];
    layer.heardAlive('a', 1_700_000_100);
    expect(ctx.out).toContainEqual({ type: 'peer-join', peer: 'a', presence: {} });
    expect(membership.get('a')?.status).toBe('alive');
  });

  it('a dial that failed with no signaling server is checked only once a server is back, if still held alive', () => {
    const { ctx, layer } = liveness();
    layer.heardAlive('a', 0);
    layer.heardAlive('b', 0);
    layer.heardAlive('c', 0);
    takeEvents(ctx);
    // With a server, a failed dial to a member nobody may be probing is verified at once.
    layer.dialFailed('a');
    expect(takeEvents(ctx)).toEqual([{ type: 'verify', peer: 'a' }]);
    // Without one, its signals only had the mesh: no check yet.
    layer.signaling(false);
    layer.dialFailed('b');
    layer.dialFailed('c');
    layer.onReconnectTimer();
    expect(takeEvents(ctx).filter((event) => event.type === 'verify')).toEqual([]);
    // c has an accuser meanwhile: only b is checked when the server is back, once.
    layer.applyGossip('x', { kind: 'suspect', peer: 'c', incarnation: 0 });
    takeEvents(ctx);
    layer.signaling(true);
    expect(takeEvents(ctx)).toEqual([{ type: 'verify', peer: 'b' }]);
    layer.onReconnectTimer();
    expect(takeEvents(ctx).filter((event) => event.type === 'verify')).toEqual([]);
  });

  it('holds at most UNCHECKED_DIALS failed mesh-only dials, dropping the oldest', () => {
    const { ctx, layer } = liveness();
    const peers = Array.from({ length: UNCHECKED_DIALS + 3 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    for (const peer of peers) layer.heardAlive(peer, 0);
    layer.signaling(false);
    for (const peer of peers) layer.dialFailed(peer);
    takeEvents(ctx);
    layer.signaling(true);
    const verified = takeEvents(ctx).flatMap((event) => (event.type === 'verify' ? [event.peer] : []));
    expect(verified).toEqual(peers.slice(3));
  });
});
