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
 */
export function cutVertex(
  self: PeerId,
  neighbors: ReadonlySet<PeerId>,
  liveOthers: number,
  neighborsOf: (peer: PeerId) => ReadonlySet<PeerId> | undefined,
): PeerId | undefined {
  if (neighbors.size < 2) return undefined;
  for (const hub of neighbors) {
    const group = new Set(neighbors);
    group.delete(hub);
    group.add(self);
    if (liveOthers + 1 <= group.size + 1) continue; // no one beyond the hub
    if (closedBehind(hub, group, neighbors, neighborsOf)) return hub;
  }
  return undefined;
}

function closedBehind(
  hub: PeerId,
  group: ReadonlySet<PeerId>,
  neighbors: ReadonlySet<PeerId>,
  neighborsOf: (peer: PeerId) => ReadonlySet<PeerId> | undefined,
): boolean {
  for (const member of neighbors) {
    if (member === hub) continue;
    const list = neighborsOf(member);
    if (list === undefined) return false;
    for (const peer of list) if (peer !== hub && !group.has(peer)) return false;
  }
  return true;
}
