import { describe, expect, it } from 'vitest';
import { layerContext, takeSent } from '../../test/layer-context.js';
import { Broadcast, SEQ_PER_SECOND } from './broadcast.js';
import { encodeGossipBody } from './wire/gossip-body.js';

function broadcast() {
  const { ctx, view } = layerContext();
  const layer = new Broadcast(ctx);
  const join = (peer: string): void => {
    view.neighbors.add(peer);
    layer.neighborUp(peer);
  };
  return { ctx, view, layer, join };
}

// The broadcast layer never reads a body's signature (frame-routing checks it): any key and signature bytes do.
const body = encodeGossipBody({ kind: 'data', payload: Uint8Array.of(1, 2, 3), key: new Uint8Array(32), signature: new Uint8Array(64) });

describe('Broadcast alone', () => {
  it('refuses an id once it is older than any it remembers for that origin (a replay), not a later one', () => {
    const { ctx, layer, join } = broadcast();
    join('x');
    expect(layer.receive('x', 'o', 5, 1, body)).toBe(true);
    ctx.now = ctx.config.broadcast.messageTtlMs + 1;
    layer.expire(); // o#5 leaves the seen-set
    expect(layer.has('o', 5)).toBe(true);
    expect(layer.receive('x', 'o', 5, 1, body)).toBe(false); // the same message, replayed
    expect(layer.receive('x', 'o', 4, 1, body)).toBe(false); // an older one, too late to matter
    expect(ctx.stats.replaysRefused).toBe(2);
    expect(layer.receive('x', 'o', 6, 1, body)).toBe(true);
    expect(layer.receive('x', 'p', 1, 1, body)).toBe(true); // floors are per origin
  });

  it('a session starts its ids at its first incarnation × SEQ_PER_SECOND: a reload under the same id is not taken for a replay', () => {
    const { ctx } = layerContext('me', { initialIncarnation: 1_800_000_000 });
    const layer = new Broadcast(ctx);
    expect(layer.publish(body).seq).toBe(1_800_000_000 * SEQ_PER_SECOND + 1);
    // The largest first incarnation (2^32 − 1) leaves 2^21 ids below 2^53.
    expect(Number.isSafeInteger((2 ** 32 - 1) * SEQ_PER_SECOND + SEQ_PER_SECOND - 1)).toBe(true);
  });

  it('pushes on tree links, announces on the others in one batched IHAVE, and retransmits an unacknowledged push', () => {
    const { ctx, view, layer, join } = broadcast();
    join('t');
    join('l');
    layer.setTreeLinks(new Set(['t']), view.neighbors);
    expect(layer.checkInvariants(view.neighbors)).toBeUndefined();
    layer.publish(body);
    layer.publish(body);
    expect(takeSent(ctx).map((s) => [s.to, s.frame.type])).toEqual([
      ['t', 'gossip'],
      ['t', 'gossip'],
    ]);
    expect(ctx.deadline('ihave')).toBe(ctx.config.broadcast.lazyFlushMs);
    ctx.now = ctx.config.broadcast.lazyFlushMs;
    ctx.fired('ihave');
    layer.flushLazy();
    const ihave = takeSent(ctx);
    expect(ihave).toHaveLength(1);
    expect(ihave[0]?.frame).toMatchObject({ type: 'ihave', entries: [{ origin: 'me', seq: 1 }, { origin: 'me', seq: 2 }] });
    // The tree link never acknowledged: both payloads go again.
    ctx.fired('resend');
    layer.onResendTimer();
    expect(takeSent(ctx).map((s) => s.to)).toEqual(['t', 't']);
    expect(ctx.stats.resends).toBe(2);
  });

  it('an acknowledged push is not retransmitted', () => {
    const { ctx, view, layer, join } = broadcast();
    join('t');
    layer.setTreeLinks(new Set(['t']), view.neighbors);
    layer.publish(body);
    takeSent(ctx);
    layer.onGot('t', [{ origin: 'me', seq: 1 }]);
    ctx.now = 10_000;
    ctx.fired('resend');
    layer.onResendTimer();
    expect(takeSent(ctx)).toEqual([]);
  });

  it('pulls an announced id it never received (GRAFT), from the first announcer', () => {
    const { ctx, layer, join } = broadcast();
    join('a');
    join('b');
    layer.onIhave('a', [{ origin: 'o', seq: 7, round: 2 }]);
    layer.onIhave('b', [{ origin: 'o', seq: 7, round: 2 }]);
    expect(layer.isMissing('o', 7)).toBe(true);
    ctx.now = ctx.config.broadcast.graftTimeoutMs;
    ctx.fired('graft');
    layer.onGraftTimer();
    expect(takeSent(ctx)).toEqual([{ to: 'a', frame: { type: 'graft', entries: [{ origin: 'o', seq: 7 }] } }]);
    expect(layer.receive('b', 'o', 7, 2, body)).toBe(true);
    expect(layer.receive('a', 'o', 7, 2, body)).toBe(false);
    expect(layer.isMissing('o', 7)).toBe(false);
  });

  it('announces to a new neighbour our own recent messages and the recent app messages of others, not membership ones', () => {
    const { ctx, layer, join } = broadcast();
    join('a');
    const alive = encodeGossipBody({ kind: 'alive', incarnation: 1 });
    layer.receive('a', 'o', 3, 2, body);
    layer.receive('a', 'p', 1, 1, alive);
    layer.receive('a', 'n', 4, 1, body); // from the newcomer itself: it has it
    layer.publish(body);
    ctx.now = 1000;
    takeSent(ctx);
    join('n');
    expect(takeSent(ctx)).toEqual([{ to: 'n', frame: { type: 'ihave', entries: [{ origin: 'me', seq: 1, round: 1 }, { origin: 'o', seq: 3, round: 3 }] } }]);
    // Older than ownCatchUpMs: nothing to announce.
    ctx.now = 1000 + ctx.config.broadcast.ownCatchUpMs + 1;
    join('m');
    expect(takeSent(ctx)).toEqual([]);
  });

  it('keeps eager ∪ lazy = active as neighbours come and go', () => {
    const { view, layer, join } = broadcast();
    join('a');
    join('b');
    layer.setTreeLinks(new Set(['a']), view.neighbors);
    view.neighbors.delete('a');
    layer.neighborDown('a');
    expect(layer.checkInvariants(view.neighbors)).toBeUndefined();
    expect([...layer.lazy]).toEqual(['b']);
  });
});
