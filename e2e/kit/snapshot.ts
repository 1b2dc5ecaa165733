/**
 * What the kit reads from a user's page: the room as that user sees it.
 * `readSnapshot` runs inside the page (Playwright serializes it), so it may
 * only use what it is given and browser globals.
 */

/** The part of a murmur Room the kit relies on; newer fields are optional. */
export interface PageRoom {
  selfId: string;
  peers: ReadonlyMap<string, { id: string; presence: Record<string, unknown>; version?: unknown }>;
  presence: { update(patch: Record<string, unknown>): void; get(): Record<string, unknown> };
  debug?: {
    links?(): Array<{ peer: string; state: string }>;
    dropLinks?(): void;
    stopSignaling?(): void;
    resumeSignaling?(): void;
    /** The gossip engine's view, with each member's presence version. */
    snapshot?(): { members?: Array<{ peer: string; status: string; incarnation?: number; presenceVersion: number }>; active?: string[] };
  };
  /** A Y.Doc shared by the room, once the room API has one. */
  doc?: unknown;
  leave(): void;
}

export interface UserSnapshot {
  selfId: string;
  /** Ids of the other peers this user sees, sorted. */
  peers: string[];
  /** Each seen peer's presence as this user has it. */
  presence: Record<string, Record<string, unknown>>;
  /** Each seen peer's presence version (from the engine snapshot), or null when the room exposes none; presence is compared by value too. */
  versions: Record<string, unknown> | null;
  /** This user's own presence. */
  selfPresence: Record<string, unknown>;
  /** The Yjs state vector of `room.doc` as { clientId: clock }, or null when the room has no doc. */
  stateVector: Record<string, number> | null;
  /** Open/connecting WebRTC links, when the room exposes `debug.links()`. */
  links: Array<{ peer: string; state: string }> | null;
  /**
   * The gossip engine's record of each member as "status@incarnation", with
   * " neighbour" when it is in the active view; null when the room exposes no
   * engine snapshot. Explains a disagreement (e.g. why a closed tab lingers).
   */
  members?: Record<string, string> | null;
}

interface YLike {
  encodeStateVector(doc: unknown): Uint8Array;
  decodeStateVector(bytes: Uint8Array): Map<number, number>;
}

/** Runs in the page. Self-contained on purpose. */
export function readSnapshot(room: PageRoom): UserSnapshot {
  const presence: Record<string, Record<string, unknown>> = {};
  let versions: Record<string, unknown> | null = null;
  for (const [id, info] of room.peers) {
    presence[id] = info.presence;
    if (info.version !== undefined) (versions ??= {})[id] = info.version;
  }
  // The engine's snapshot carries the (generation, version) each member's
  // presence is at: the same for everyone once the room has converged.
  const engine = room.debug?.snapshot?.();
  const members = engine?.members;
  let records: Record<string, string> | null = null;
  if (members) {
    records = {};
    const active = new Set(engine?.active ?? []);
    for (const member of members) {
      records[member.peer] = `${member.status}@${member.incarnation ?? '?'}${active.has(member.peer) ? ' neighbour' : ''}`;
    }
  }
  if (versions === null && members) {
    versions = {};
    for (const member of members) if (room.peers.has(member.peer)) versions[member.peer] = member.presenceVersion;
  }
  let stateVector: Record<string, number> | null = null;
  if (room.doc) {
    const g = globalThis as { murmur?: { Y?: YLike }; Y?: YLike };
    const Y = g.murmur?.Y ?? g.Y;
    stateVector = {};
    if (Y) {
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(room.doc))) stateVector[String(client)] = clock;
    } else {
      // No Y namespace on the page: read the store the way Y.getStateVector does.
      const store = (room.doc as { store?: { clients?: Map<number, Array<{ id: { clock: number }; length: number }>> } }).store;
      for (const [client, structs] of store?.clients ?? []) {
        const last = structs[structs.length - 1];
        if (last) stateVector[String(client)] = last.id.clock + last.length;
      }
    }
  }
  return {
    selfId: room.selfId,
    peers: [...room.peers.keys()].sort(),
    presence,
    versions,
    selfPresence: room.presence.get(),
    stateVector,
    links: room.debug?.links ? room.debug.links().map((l) => ({ peer: l.peer, state: l.state })) : null,
    members: records,
  };
}
