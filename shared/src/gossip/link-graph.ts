/**
 * What a tab can tell about the link graph from two hops of it: its own
 * neighbours and, from their TREE frames, theirs (SpanningTree.neighborsOf).
 */
import type { PeerId } from '../engine/types.js';

/**
 * A neighbour `hub` through which alone `self` and its other neighbours reach
 * the rest of the room: every other neighbour links only among them and to
 * `hub`, and the room (`liveOthers` live members besides `self`) holds
 * someone beyond. Undefined when there is none, when a list is unknown, or
 * with fewer than two neighbours (the floor repair handles one).
 *
 * Runs once a second in every tab, so it looks at each list once and
 * allocates nothing: a neighbour whose list is unknown or reaches past us and
 * our neighbours "leaks". The hub must be the only leak, or, with none, any
 * neighbour will do (the first, as in iteration order).
 */
export function cutVertex(
  self: PeerId,
  neighbors: ReadonlySet<PeerId>,
  liveOthers: number,
  neighborsOf: (peer: PeerId) => ReadonlySet<PeerId> | undefined,
): PeerId | undefined {
  // With the hub removed and us added, the group is as large as our neighbour set: is anyone beyond it?
  if (neighbors.size < 2 || liveOthers <= neighbors.size) return undefined;
  let leak: PeerId | undefined;
  for (const member of neighbors) {
    if (closed(self, member, neighbors, neighborsOf)) continue;
    if (leak !== undefined) return undefined; // two leaks: no single hub closes us in
    leak = member;
  }
  return leak ?? neighbors.values().next().value;
}

/** Does `member`'s list (if known) stay within us and our neighbours? */
function closed(
  self: PeerId,
  member: PeerId,
  neighbors: ReadonlySet<PeerId>,
  neighborsOf: (peer: PeerId) => ReadonlySet<PeerId> | undefined,
): boolean {
  const list = neighborsOf(member);
  if (list === undefined) return false;
  for (const peer of list) if (peer !== self && !neighbors.has(peer)) return false;
  return true;
}
