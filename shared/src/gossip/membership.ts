/**
 * The room-wide member table and its merge rules (SWIM incarnations plus
 * Scuttlebutt-style per-peer versions).
 *
 * A member's status is ordered by (incarnation, rank) with ranks
 * alive < suspect < dead < left: a verdict at the same incarnation beats
 * `alive`, and only the peer itself raises its incarnation, so a newer
 * `alive` is always a refutation. Presence is ordered separately by its own
 * version (last writer wins; the writer is the peer). Records of dead and
 * departed peers are kept as tombstones so stale news cannot resurrect them.
 */
import type { PeerId, Presence } from '../engine/types.js';
import { fnv1a, mixHash } from './maths.js';
import { STATUS_RANK, type MemberRecord, type MemberStatus } from './wire/frames.js';

export interface Member extends MemberRecord {
  /** Hash of the peer id: picks the digest bucket. */
  readonly idHash: number;
  /** Hash of (id, incarnation, status, presence version): summed per bucket in digests. */
  hash: number;
  /** `now` when the status last changed. */
  since: number;
}

export function isLive(status: MemberStatus | undefined): boolean {
  return status === 'alive' || status === 'suspect';
}

/** True if (incA, statusA) supersedes (incB, statusB). */
export function statusSupersedes(incA: number, statusA: MemberStatus, incB: number, statusB: MemberStatus): boolean {
  if (incA !== incB) return incA > incB;
  return STATUS_RANK[statusA] > STATUS_RANK[statusB];
}

export interface StatusChange {
  member: Member;
  previous: MemberStatus | undefined;
}

/** Digest buckets kept up to date: the most `bucketCountFor` gives; fewer are folded from these. */
const FINE_BUCKETS = 1024;

export class Membership {
  readonly members = new Map<PeerId, Member>();
  readonly self: Member;
  /** Live members other than self. */
  liveCount = 0;
  /**
   * Member hashes summed into FINE_BUCKETS buckets by idHash, kept up to date
   * on every change: a digest folds them (every anti-entropy round sends and
   * checks one, and summing the whole table each time was a tenth of a
   * 1,000-peer simulation).
   */
  private readonly fine = new Uint32Array(FINE_BUCKETS);
  /** The last folded digest, valid while `foldedAt` equals `changes`. */
  private folded: number[] = [];
  private foldedAt = -1;
  private changes = 0;

  constructor(selfId: PeerId, incarnation: number) {
    this.self = this.create(selfId, incarnation, 'alive', 0);
    this.members.set(selfId, this.self);
  }

  get(peer: PeerId): Member | undefined {
    return this.members.get(peer);
  }

  statusOf(peer: PeerId): MemberStatus | undefined {
    return this.members.get(peer)?.status;
  }

  private create(peer: PeerId, incarnation: number, status: MemberStatus, now: number): Member {
    const member: Member = {
      peer,
      incarnation,
      status,
      presenceVersion: 0,
      presenceJson: '{}',
      presence: {},
      idHash: fnv1a(peer),
      hash: 0,
      since: now,
    };
    this.rehash(member);
    return member;
  }

  /** Recomputes a member's hash and moves its bucket sum by the difference. */
  private rehash(member: Member): void {
    const hash = hashOf(member);
    const bucket = member.idHash & (FINE_BUCKETS - 1);
    this.fine[bucket] = (this.fine[bucket] as number) - member.hash + hash;
    member.hash = hash;
    this.changes += 1;
  }

  /**
   * Applies news about a peer's status. Returns the change, or undefined if
   * the news is not newer. News about self is never applied (the caller refutes).
   */
  applyStatus(peer: PeerId, incarnation: number, status: MemberStatus, now: number): StatusChange | undefined {
    let member = this.members.get(peer);
    if (member === this.self) return undefined;
    if (!member) {
      member = this.create(peer, incarnation, status, now);
      this.members.set(peer, member);
      if (isLive(status)) this.liveCount += 1;
      return { member, previous: undefined };
    }
    if (!statusSupersedes(incarnation, status, member.incarnation, member.status)) return undefined;
    const previous = member.status;
    if (isLive(previous) && !isLive(status)) this.liveCount -= 1;
    if (!isLive(previous) && isLive(status)) this.liveCount += 1;
    member.incarnation = incarnation;
    member.status = status;
    if (previous !== status) member.since = now;
    this.rehash(member);
    return { member, previous };
  }

  /** Applies a newer presence; returns true if it changed. Unknown peers are not created here. */
  applyPresence(member: Member, version: number, presence: Presence, json: string): boolean {
    if (version <= member.presenceVersion) return false;
    member.presenceVersion = version;
    member.presence = presence;
    member.presenceJson = json;
    this.rehash(member);
    return true;
  }

  setSelfIncarnation(incarnation: number): void {
    this.self.incarnation = incarnation;
    this.rehash(this.self);
  }

  setSelfStatus(status: MemberStatus): void {
    this.self.status = status;
    this.rehash(this.self);
  }

  /**
   * Sum of member hashes per bucket (sums, unlike XOR, do not cancel pairs),
   * bucket = idHash mod bucketCount (a power of two up to 1024). The array is
   * shared until the next change: do not modify it.
   */
  bucketHashes(bucketCount: number): readonly number[] {
    if (bucketCount === this.folded.length && this.foldedAt === this.changes) return this.folded;
    const sums = new Array<number>(bucketCount).fill(0);
    const fine = this.fine;
    for (let i = 0; i < FINE_BUCKETS; i++) {
      const bucket = i & (bucketCount - 1);
      sums[bucket] = ((sums[bucket] as number) + (fine[i] as number)) >>> 0;
    }
    this.folded = sums;
    this.foldedAt = this.changes;
    return sums;
  }

  inBuckets(bucketCount: number, buckets: ReadonlySet<number>): Member[] {
    const mask = bucketCount - 1;
    const out: Member[] = [];
    for (const member of this.members.values()) if (buckets.has(member.idHash & mask)) out.push(member);
    return out;
  }

  livePeers(): PeerId[] {
    const out: PeerId[] = [];
    for (const member of this.members.values()) if (member !== this.self && isLive(member.status)) out.push(member.peer);
    return out;
  }

  deadPeers(): PeerId[] {
    const out: PeerId[] = [];
    for (const member of this.members.values()) if (member.status === 'dead') out.push(member.peer);
    return out;
  }
}

function hashOf(member: Member): number {
  return mixHash(member.idHash, member.incarnation, STATUS_RANK[member.status], member.presenceVersion);
}

/** True if `record` tells something `member` lacks (newer status or newer presence). */
export function recordIsNewer(record: MemberRecord, member: MemberRecord | undefined): boolean {
  if (!member) return true;
  return statusSupersedes(record.incarnation, record.status, member.incarnation, member.status) || record.presenceVersion > member.presenceVersion;
}
