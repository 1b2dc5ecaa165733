/**
 * Scuttlebutt-style anti-entropy with hashed digests.
 *
 * A full `{peer: version}` digest of 1,000 members is ~15 KB, which would
 * blow the 1 KB/s membership budget at one exchange every few seconds. So
 * the digest is bucketed: members are spread over B buckets by id hash
 * (~16 a bucket) and the digest carries one 32-bit sum of record hashes per
 * bucket (256 bytes at N=1,000). The neighbour answers only for buckets that
 * differ, with its records there (RECORDS, wantBack); the initiator merges
 * them and sends back exactly the records where it is newer. In steady state
 * an exchange is one small frame and no answer.
 */
import type { PeerId } from '../engine/types.js';
import type { Context } from './context.js';
import { bucketCountFor } from './maths.js';
import { recordIsNewer, type Member, type Membership } from './membership.js';
import type { MemberRecord } from './wire/frames.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../signaling.js';

export class AntiEntropy {
  private readonly ctx: Context;
  private readonly membership: Membership;

  constructor(ctx: Context, membership: Membership) {
    this.ctx = ctx;
    this.membership = membership;
  }

  /** Set by the period timer; the next ping carries the digest (or the timer sends it alone). */
  private due = false;

  /** Arms the period timer at a random phase, so a room started at once does not exchange in lock step. */
  start(): void {
    this.ctx.resetTimer('anti-entropy', this.ctx.now + (0.5 + this.ctx.config.rng.next()) * this.ctx.config.antiEntropy.intervalMs);
  }

  onTimer(): void {
    this.ctx.resetTimer('anti-entropy', this.ctx.now + this.ctx.config.antiEntropy.intervalMs);
    // Normally a ping took the digest since the last period; if none did (no probes), send it alone.
    if (!this.ctx.config.roomMembership) return;
    if (this.due) {
      const peer = this.ctx.config.rng.pick([...this.ctx.view.neighbors]);
      if (peer !== undefined) this.sendDigest(peer);
    }
    this.due = true;
  }

  digest(): readonly number[] {
    return this.membership.bucketHashes(bucketCountFor(this.membership.members.size));
  }

  sendDigest(to: PeerId): void {
    this.ctx.send(to, { type: 'digest', hashes: this.digest() });
  }

  /** The digest to piggyback on a ping, if one is due (none without room-wide membership). */
  takeDigest(): readonly number[] {
    if (!this.ctx.config.roomMembership || !this.due) return [];
    this.due = false;
    return this.digest();
  }

  onDigest(from: PeerId, hashes: readonly number[]): void {
    const mine = this.membership.bucketHashes(hashes.length);
    const differing: number[] = [];
    for (let i = 0; i < hashes.length; i++) if (mine[i] !== hashes[i]) differing.push(i);
    if (differing.length === 0) return;
    const bucketSet = new Set(differing);
    const members = this.membership.inBuckets(hashes.length, bucketSet);
    this.sendRecords(from, hashes.length, differing, members, true);
  }

  /**
   * Our answer for buckets where the neighbour sent `theirs`: only records
   * they lack or hold older. Call after merging theirs.
   */
  answer(from: PeerId, bucketCount: number, buckets: readonly number[], theirs: readonly MemberRecord[]): void {
    const known = new Map<PeerId, MemberRecord>();
    for (const record of theirs) known.set(record.peer, record);
    const mine = this.membership.inBuckets(bucketCount, new Set(buckets)).filter((member) => recordIsNewer(member, known.get(member.peer)));
    // A record we refused because its member's tombstone expired here: tell the verdict back, or the
    // neighbour keeps a ghost (and a digest that never matches ours).
    for (const record of theirs) {
      if (this.membership.get(record.peer)) continue;
      const floor = this.membership.floorRecord(record.peer);
      if (floor && recordIsNewer(floor, record)) mine.push(floor);
    }
    if (mine.length > 0) this.sendRecords(from, bucketCount, buckets, mine, false);
  }

  /**
   * Members a RECORDS frame from `from` revived here (held dead or suspect,
   * now alive at a higher incarnation): pass their records on to every other
   * neighbour at once, as memberlist pushes state changes, instead of
   * leaving them to one digest exchange per period. After a healed partition
   * the records that cross the first bridge are refutations the other side
   * never heard (they were broadcast while it was cut off); by periodic
   * exchange alone they took ~20 s to reach 100 tabs (partition scenario,
   * N=200). A member is revived once per node, so each record crosses each
   * link at most about twice; the frames carry no wantBack.
   */
  pushRevived(from: PeerId, peers: readonly PeerId[]): void {
    const members: Member[] = [];
    for (const peer of peers) {
      const member = this.membership.get(peer);
      if (member) members.push(member);
    }
    if (members.length === 0) return;
    // Cut into frames of about maxFrameBytes once; every neighbour gets the same frames.
    const frames: Member[][] = [[]];
    let size = 0;
    for (const member of members) {
      const bytes = recordSize(member);
      if (frames[frames.length - 1]!.length > 0 && size + bytes > this.ctx.config.antiEntropy.maxFrameBytes) {
        frames.push([]);
        size = 0;
      }
      frames[frames.length - 1]!.push(member);
      size += bytes;
    }
    for (const neighbour of this.ctx.view.neighbors) {
      if (neighbour === from) continue;
      for (const records of frames) this.ctx.send(neighbour, { type: 'records', bucketCount: 1, buckets: [0], wantBack: false, records });
    }
  }

  /** Splits records into frames of about maxFrameBytes, whole buckets per frame. */
  private sendRecords(to: PeerId, bucketCount: number, buckets: readonly number[], members: readonly Member[], wantBack: boolean): void {
    const mask = bucketCount - 1;
    const byBucket = new Map<number, Member[]>();
    for (const bucket of buckets) byBucket.set(bucket, []);
    for (const member of members) byBucket.get(member.idHash & mask)?.push(member);
    let frameBuckets: number[] = [];
    let frameRecords: Member[] = [];
    let size = 0;
    const flush = (): void => {
      if (frameBuckets.length === 0) return;
      this.ctx.send(to, { type: 'records', bucketCount, buckets: frameBuckets, wantBack, records: frameRecords });
      frameBuckets = [];
      frameRecords = [];
      size = 0;
    };
    for (const [bucket, list] of byBucket) {
      const bytes = list.reduce((sum, member) => sum + recordSize(member), 4);
      if (size > 0 && size + bytes > this.ctx.config.antiEntropy.maxFrameBytes) flush();
      frameBuckets.push(bucket);
      frameRecords.push(...list);
      size += bytes;
    }
    flush();
  }
}

/** A signed presence's key and signature (wire/frames.ts writeRecord). */
const PRESENCE_PROOF_BYTES = PUBLIC_KEY_BYTES + SIGNATURE_BYTES;

/** Encoded size estimate of a record, bytes (exact for ASCII; close enough to split frames). */
function recordSize(record: MemberRecord): number {
  return record.peer.length + record.presenceJson.length + 16 + (record.presenceVersion > 0 ? PRESENCE_PROOF_BYTES : 0);
}
