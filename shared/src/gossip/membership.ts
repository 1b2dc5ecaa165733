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
 *
 * Tombstones expire (`limits.tombstoneTtlMs` after we learnt the verdict)
 * so the table, its digest and the routes stay bounded by the live room plus
 * recent departures. Why an expired member cannot come back from stale news:
 * records carry no time, so age cannot be judged from a record; instead an
 * expired tombstone leaves a compact floor entry (id → incarnation, verdict)
 * and a record for an id we do not hold is admitted only if it supersedes
 * that floor, exactly as it would have had to supersede the tombstone. A
 * member that really rejoins has a higher incarnation (only it raises it; the
 * client starts from wall-clock seconds), so it is admitted; an old ALIVE or
 * RECORDS at an incarnation ≤ the verdict's is refused. The floor is capped
 * (`limits.maxTombstones`, oldest evicted first) so a flood of made-up
 * verdicts cannot grow it; the table's tombstones share that cap. A stale
 * record can only reappear after its floor entry was evicted, i.e. after
 * maxTombstones later departures: by then every tab connected to us has held
 * the verdict for a whole TTL (and dropped its own record), broadcasts of the
 * old ALIVE died out (seen-cache 60 s, 64 rounds), and only a tab cut off for
 * longer than all that still carries it, which the detector then judges
 * again (nobody can reach a departed member) and the floor answer below tells.
 */
import type { PeerId, Presence } from '../engine/types.js';
import { fnv1a, mixHash } from './maths.js';
import { STATUS_RANK, UNSIGNED, type MemberRecord, type MemberStatus } from './wire/frames.js';

export interface Member extends MemberRecord {
  /** Hash of the peer id: picks the digest bucket. */
  readonly idHash: number;
  /** Hash of (id, incarnation, status, presence version): summed per bucket in digests. */
  hash: number;
  /** `now` when the status last changed. */
  since: number;
}

/** A presence with its owner's signature (trust.ts presenceSigned), as a broadcast or a record carries it. */
export interface SignedPresence {
  version: number;
  presence: Presence;
  json: string;
  key: Uint8Array;
  signature: Uint8Array;
}

/** The signed presence a record carries. */
export function presenceOf(record: MemberRecord): SignedPresence {
  return { version: record.presenceVersion, presence: record.presence, json: record.presenceJson, key: record.presenceKey, signature: record.presenceSignature };
}

function setPresence(member: Member, signed: SignedPresence): void {
  member.presenceVersion = signed.version;
  member.presence = signed.presence;
  member.presenceJson = signed.json;
  member.presenceKey = signed.key;
  member.presenceSignature = signed.signature;
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

/** What an expired tombstone leaves: the verdict a record must supersede to bring the member back. */
export interface Floor {
  incarnation: number;
  status: MemberStatus;
  /** At status `left`, the leaver's signed goodbye (passed on in floorRecord). */
  leftKey: Uint8Array;
  leftSignature: Uint8Array;
}

export interface TombstoneLimits {
  /** limits.tombstoneTtlMs */
  tombstoneTtlMs: number;
  /** limits.maxTombstones */
  maxTombstones: number;
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
  /** Dead and departed members in the table, oldest verdict first (insertion order is `since` order). */
  private readonly tombstones = new Map<PeerId, Member>();
  /** Expired tombstones, oldest first: what a record about an id we no longer hold must supersede. */
  private readonly floors = new Map<PeerId, Floor>();
  private readonly limits: TombstoneLimits;

  constructor(selfId: PeerId, incarnation: number, limits: TombstoneLimits = { tombstoneTtlMs: 600_000, maxTombstones: 4096 }) {
    this.limits = limits;
    this.self = this.create(selfId, incarnation, 'alive', 0);
    this.members.set(selfId, this.self);
  }

  get(peer: PeerId): Member | undefined {
    return this.members.get(peer);
  }

  /** The table's status, or an expired tombstone's verdict (a floored member is as good as dead here). */
  statusOf(peer: PeerId): MemberStatus | undefined {
    return this.members.get(peer)?.status ?? this.floors.get(peer)?.status;
  }

  /** Expired tombstones remembered. */
  get floorCount(): number {
    return this.floors.size;
  }

  floorOf(peer: PeerId): Floor | undefined {
    return this.floors.get(peer);
  }

  /** An expired member's verdict as a record (presence empty), to tell a neighbour still holding it alive. */
  floorRecord(peer: PeerId): Member | undefined {
    const floor = this.floors.get(peer);
    if (!floor) return undefined;
    const record = this.create(peer, floor.incarnation, floor.status, 0);
    record.leftKey = floor.leftKey;
    record.leftSignature = floor.leftSignature;
    return record;
  }

  /**
   * Drops tombstones older than limits.tombstoneTtlMs from the table (and so
   * from the digest), leaving their floors. Returns the peers dropped.
   */
  expireTombstones(now: number): PeerId[] {
    const out: PeerId[] = [];
    for (const member of this.tombstones.values()) {
      if (member.since + this.limits.tombstoneTtlMs > now) break;
      this.drop(member);
      out.push(member.peer);
    }
    return out;
  }

  private entomb(member: Member): void {
    this.tombstones.delete(member.peer);
    this.tombstones.set(member.peer, member);
    // A flood of verdicts about made-up ids: the oldest expire early.
    while (this.tombstones.size > this.limits.maxTombstones) {
      const oldest = this.tombstones.values().next().value as Member;
      this.drop(oldest);
    }
  }

  private drop(member: Member): void {
    this.tombstones.delete(member.peer);
    this.members.delete(member.peer);
    const bucket = member.idHash & (FINE_BUCKETS - 1);
    this.fine[bucket] = (this.fine[bucket] as number) - member.hash;
    this.changes += 1;
    this.floors.delete(member.peer);
    this.floors.set(member.peer, { incarnation: member.incarnation, status: member.status, leftKey: member.leftKey, leftSignature: member.leftSignature });
    while (this.floors.size > this.limits.maxTombstones) {
      const oldest = this.floors.keys().next().value as PeerId;
      this.floors.delete(oldest);
    }
  }

  private create(peer: PeerId, incarnation: number, status: MemberStatus, now: number): Member {
    const member: Member = {
      peer,
      incarnation,
      status,
      presenceVersion: 0,
      presenceJson: '{}',
      presence: {},
      presenceKey: UNSIGNED,
      presenceSignature: UNSIGNED,
      leftKey: UNSIGNED,
      leftSignature: UNSIGNED,
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
      // An expired member comes back only on news its tombstone would have let in (see the header).
      const floor = this.floors.get(peer);
      if (floor && !statusSupersedes(incarnation, status, floor.incarnation, floor.status)) return undefined;
      this.floors.delete(peer);
      member = this.create(peer, incarnation, status, now);
      this.members.set(peer, member);
      if (isLive(status)) this.liveCount += 1;
      else this.entomb(member);
      return { member, previous: floor?.status };
    }
    if (!statusSupersedes(incarnation, status, member.incarnation, member.status)) return undefined;
    const previous = member.status;
    if (isLive(previous) && !isLive(status)) this.liveCount -= 1;
    if (!isLive(previous) && isLive(status)) {
      this.liveCount += 1;
      this.tombstones.delete(peer);
    }
    member.incarnation = incarnation;
    member.status = status;
    // A goodbye's proof is for one incarnation: the caller attaches the new one (setLeftProof).
    member.leftKey = UNSIGNED;
    member.leftSignature = UNSIGNED;
    if (previous !== status) member.since = now;
    this.rehash(member);
    if (!isLive(status) && previous !== status) this.entomb(member);
    return { member, previous };
  }

  /**
   * Applies a newer presence, whose signature the caller checked; returns true if it changed.
   * Unknown peers are not created here.
   */
  applyPresence(member: Member, signed: SignedPresence): boolean {
    if (signed.version <= member.presenceVersion) return false;
    setPresence(member, signed);
    this.rehash(member);
    return true;
  }

  /** Our own presence, as we just signed it. */
  setSelfPresence(signed: SignedPresence): void {
    setPresence(this.self, signed);
    this.rehash(this.self);
  }

  setSelfIncarnation(incarnation: number): void {
    this.self.incarnation = incarnation;
    this.rehash(this.self);
  }

  /**
   * The signed goodbye of a member we hold as left at `incarnation` (or of ourselves, leaving), kept so
   * our records of it carry the proof; ignored if the member is not (or no longer) left there.
   */
  setLeftProof(peer: PeerId, incarnation: number, key: Uint8Array, signature: Uint8Array): void {
    const member = this.members.get(peer);
    if (member === undefined || member.status !== 'left' || member.incarnation !== incarnation) return;
    member.leftKey = key;
    member.leftSignature = signature;
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
