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

export class Membership {
  readonly members = new Map<PeerId, Member>();
  readonly self: Member;
  /** Live members other than self. */
  liveCount = 0;

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
    member.hash = hashOf(member);
    return member;
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
    member.hash = hashOf(member);
    return { member, previous };
  }

  /** Applies a newer presence; returns true if it changed. Unknown peers are not created here. */
  applyPresence(member: Member, version: number, presence: Presence, json: string): boolean {
    if (version <= member.presenceVersion) return false;
    member.presenceVersion = version;
    member.presence = presence;
    member.presenceJson = json;
    member.hash = hashOf(member);
    return true;
  }

  setSelfIncarnation(incarnation: number): void {
    this.self.incarnation = incarnation;
    this.self.hash = hashOf(this.self);
  }

  setSelfStatus(status: MemberStatus): void {
    this.self.status = status;
    this.self.hash = hashOf(this.self);
  }

  /** Sum of member hashes per bucket (sums, unlike XOR, do not cancel pairs). */
  bucketHashes(bucketCount: number): number[] {
    const sums = new Array<number>(bucketCount).fill(0);
    const mask = bucketCount - 1;
    for (const member of this.members.values()) {
      const bucket = member.idHash & mask;
      sums[bucket] = ((sums[bucket] as number) + member.hash) >>> 0;
    }
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
