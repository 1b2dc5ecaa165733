/**
 * Who is in which room. Pure bookkeeping, no sockets: the server owns the
 * connections and asks the table whom to tell.
 */
export class RoomTable<Conn> {
  private readonly rooms = new Map<string, Map<string, Conn>>();

  get roomCount(): number {
    return this.rooms.size;
  }

  get peerCount(): number {
    let total = 0;
    for (const members of this.rooms.values()) total += members.size;
    return total;
  }

  /** Add `peer` to `room`; false when another connection already holds that id there. */
  join(room: string, peer: string, conn: Conn): boolean {
    let members = this.rooms.get(room);
    if (!members) {
      members = new Map();
      this.rooms.set(room, members);
    }
    const holder = members.get(peer);
    if (holder !== undefined && holder !== conn) return false;
    members.set(peer, conn);
    return true;
  }

  /** Remove `peer` from `room` if `conn` holds it; returns whether it did. */
  leave(room: string, peer: string, conn: Conn): boolean {
    const members = this.rooms.get(room);
    if (!members || members.get(peer) !== conn) return false;
    members.delete(peer);
    if (members.size === 0) this.rooms.delete(room);
    return true;
  }

  lookup(room: string, peer: string): Conn | undefined {
    return this.rooms.get(room)?.get(peer);
  }

  size(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  /** Every (peer, conn) in `room` other than `except`. */
  *others(room: string, except: string): Iterable<[string, Conn]> {
    const members = this.rooms.get(room);
    if (!members) return;
    for (const entry of members) if (entry[0] !== except) yield entry;
  }

  /**
   * Up to `k` peers of `room` other than `except`, uniformly at random
   * (reservoir sampling, so a 10,000-peer room costs one pass, no copy).
   */
  sample(room: string, except: string, k: number, random: () => number): string[] {
    const picked: string[] = [];
    let seen = 0;
    for (const [peer] of this.others(room, except)) {
      seen += 1;
      if (picked.length < k) picked.push(peer);
      else {
        const j = Math.floor(random() * seen);
        if (j < k) picked[j] = peer;
      }
    }
    return picked;
  }
}
