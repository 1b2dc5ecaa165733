import { describe, expect, it } from 'vitest';
import { createPrng } from '../prng.js';
import { Membership } from './membership.js';
import { signedPresence } from '../sim/sim-trust.js';
import type { MemberStatus } from './wire/frames.js';

/** The digest as the definition says: every member's hash summed into bucket idHash mod count. */
function naiveBuckets(membership: Membership, count: number): number[] {
  const sums = new Array<number>(count).fill(0);
  for (const member of membership.members.values()) {
    const bucket = member.idHash & (count - 1);
    sums[bucket] = ((sums[bucket] as number) + member.hash) >>> 0;
  }
  return sums;
}

describe('Membership digest buckets', () => {
  it('kept up to date, they equal the sums of the member table at every bucket count', () => {
    const rng = createPrng(7);
    const membership = new Membership('self', 1);
    const statuses: MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];
    const counts = [1, 2, 16, 64, 1024];
    for (let step = 0; step < 3000; step++) {
      const peer = `p${Math.floor(rng.next() * 600)}`;
      const roll = rng.next();
      if (roll < 0.6) {
        membership.applyStatus(peer, 1 + Math.floor(rng.next() * 4), statuses[Math.floor(rng.next() * 4)] as MemberStatus, step);
      } else if (roll < 0.9) {
        const member = membership.get(peer);
        if (member) membership.applyPresence(member, signedPresence(member.peer, member.presenceVersion + 1, { step }));
      } else if (roll < 0.95) {
        membership.setSelfIncarnation(membership.self.incarnation + 1);
      } else {
        membership.setSelfStatus(roll < 0.97 ? 'left' : 'alive');
      }
      if (step % 97 === 0) for (const count of counts) expect(membership.bucketHashes(count)).toEqual(naiveBuckets(membership, count));
    }
    expect(membership.members.size).toBeGreaterThan(500);
    for (const count of counts) expect(membership.bucketHashes(count)).toEqual(naiveBuckets(membership, count));
  });
});

describe('Membership tombstones', () => {
  const limits = { tombstoneTtlMs: 10_000, maxTombstones: 3 };

  it('a dead or departed record expires after tombstoneTtlMs: out of the table and the digest, its verdict kept as a floor', () => {
    const membership = new Membership('self', 1, limits);
    membership.applyStatus('a', 2, 'alive', 0);
    membership.applyStatus('b', 1, 'alive', 0);
    membership.applyStatus('a', 2, 'dead', 1000);
    expect(membership.expireTombstones(10_999)).toEqual([]);
    expect(membership.get('a')?.status).toBe('dead');
    expect(membership.expireTombstones(11_000)).toEqual(['a']);
    expect(membership.get('a')).toBeUndefined();
    expect(membership.members.size).toBe(2);
    expect(membership.floorOf('a')).toMatchObject({ incarnation: 2, status: 'dead' });
    expect(membership.statusOf('a')).toBe('dead');
    for (const count of [1, 16, 1024]) expect(membership.bucketHashes(count)).toEqual(naiveBuckets(membership, count));
    expect(membership.liveCount).toBe(1);
  });

  it('after expiry an old ALIVE or record at an incarnation ≤ the verdict cannot resurrect the member', () => {
    const membership = new Membership('self', 1, limits);
    membership.applyStatus('a', 5, 'left', 0);
    membership.expireTombstones(10_000);
    expect(membership.applyStatus('a', 5, 'alive', 20_000)).toBeUndefined();
    expect(membership.applyStatus('a', 4, 'alive', 20_000)).toBeUndefined();
    expect(membership.applyStatus('a', 5, 'suspect', 20_000)).toBeUndefined();
    expect(membership.applyStatus('a', 5, 'dead', 20_000)).toBeUndefined();
    expect(membership.get('a')).toBeUndefined();
    expect(membership.liveCount).toBe(0);
  });

  it('a member rejoining at a higher incarnation is admitted, and its floor forgotten', () => {
    const membership = new Membership('self', 1, limits);
    membership.applyStatus('a', 1_700_000_000, 'dead', 0);
    membership.expireTombstones(10_000);
    const change = membership.applyStatus('a', 1_700_000_600, 'alive', 20_000);
    expect(change?.member.status).toBe('alive');
    expect(membership.floorOf('a')).toBeUndefined();
    expect(membership.liveCount).toBe(1);
    // Alive again, it is no tombstone: nothing expires.
    expect(membership.expireTombstones(1e9)).toEqual([]);
  });

  it('a refuted member leaves the tombstone queue; a later verdict restarts its clock', () => {
    const membership = new Membership('self', 1, limits);
    membership.applyStatus('a', 1, 'dead', 0);
    membership.applyStatus('a', 2, 'alive', 5000);
    membership.applyStatus('a', 2, 'left', 8000);
    expect(membership.expireTombstones(17_999)).toEqual([]);
    expect(membership.expireTombstones(18_000)).toEqual(['a']);
  });

  it('tombstones and floors are capped at maxTombstones, oldest first, whatever a flood of verdicts says', () => {
    const membership = new Membership('self', 1, limits);
    for (let i = 0; i < 100; i++) membership.applyStatus(`x${i}`, 1, 'dead', i);
    expect(membership.members.size - 1 - membership.liveCount).toBe(3);
    expect([...membership.members.keys()].filter((id) => id !== 'self')).toEqual(['x97', 'x98', 'x99']);
    expect(membership.floorCount).toBe(3);
    expect(membership.floorOf('x96')).toMatchObject({ incarnation: 1, status: 'dead' });
    expect(membership.floorOf('x0')).toBeUndefined();
    membership.expireTombstones(1e9);
    expect(membership.members.size).toBe(1);
    expect(membership.floorCount).toBe(3);
    for (const count of [1, 16, 1024]) expect(membership.bucketHashes(count)).toEqual(naiveBuckets(membership, count));
  });
});
