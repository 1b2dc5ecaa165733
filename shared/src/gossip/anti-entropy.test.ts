import { describe, expect, it } from 'vitest';
import { layerContext, takeSent } from '../../test/layer-context.js';
import { AntiEntropy } from './anti-entropy.js';
import { Membership } from './membership.js';
import { memberRecord } from '../sim/sim-trust.js';

describe('AntiEntropy alone', () => {
  it('answers a differing digest with the records of the differing buckets, and the initiator sends back only what it holds newer', () => {
    const a = layerContext('a');
    const b = layerContext('b');
    const ma = new Membership('a', 0);
    const mb = new Membership('b', 0);
    ma.applyStatus('x', 3, 'alive', 0);
    mb.applyStatus('y', 1, 'alive', 0);
    const aeA = new AntiEntropy(a.ctx, ma);
    const aeB = new AntiEntropy(b.ctx, mb);
    aeA.sendDigest('b');
    const [digest] = takeSent(a.ctx);
    if (digest?.frame.type !== 'digest') throw new Error('no digest');
    aeB.onDigest('a', digest.frame.hashes);
    const [records] = takeSent(b.ctx);
    if (records?.frame.type !== 'records') throw new Error('no records');
    expect(records.frame.wantBack).toBe(true);
    expect(records.frame.records.map((r) => r.peer).sort()).toEqual(['b', 'y']);
    aeA.answer('b', records.frame.bucketCount, records.frame.buckets, records.frame.records);
    const back = takeSent(a.ctx);
    expect(back.flatMap((s) => (s.frame.type === 'records' ? s.frame.records.map((r) => r.peer) : [])).sort()).toEqual(['a', 'x']);
  });

  it('owns its period: the digest rides on the next ping, or goes alone to a random neighbour if no ping took it', () => {
    const { ctx, view } = layerContext();
    view.neighbors.add('n');
    const ae = new AntiEntropy(ctx, new Membership('me', 0));
    ae.start();
    ctx.fired('anti-entropy');
    ae.onTimer();
    expect(takeSent(ctx)).toEqual([]);
    expect(ae.takeDigest().length).toBeGreaterThan(0);
    expect(ae.takeDigest()).toEqual([]);
    ctx.fired('anti-entropy');
    ae.onTimer();
    ctx.fired('anti-entropy');
    ae.onTimer();
    expect(takeSent(ctx).map((s) => [s.to, s.frame.type])).toEqual([['n', 'digest']]);
  });
});

describe('AntiEntropy after a tombstone expired', () => {
  it('answers a neighbour still holding the expired member alive with the verdict from the floor', () => {
    const a = layerContext('a');
    const ma = new Membership('a', 0, { tombstoneTtlMs: 1000, maxTombstones: 16 });
    ma.applyStatus('x', 3, 'dead', 0);
    ma.expireTombstones(1000);
    const aeA = new AntiEntropy(a.ctx, ma);
    const ghost = memberRecord('x', 3, 'alive', 2);
    ma.applyStatus(ghost.peer, ghost.incarnation, ghost.status, 2000);
    expect(ma.get('x')).toBeUndefined();
    aeA.answer('b', 1, [0], [ghost]);
    const back = takeSent(a.ctx).flatMap((s) => (s.frame.type === 'records' ? s.frame.records : []));
    expect(back.find((r) => r.peer === 'x')).toMatchObject({ peer: 'x', incarnation: 3, status: 'dead' });
  });
});
