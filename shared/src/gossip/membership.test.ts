import { describe, expect, it } from 'vitest';
import { createPrng } from '../prng.js';
import { Membership } from './membership.js';
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
        if (member) membership.applyPresence(member, member.presenceVersion + 1, { step }, `{"step":${step}}`);
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
