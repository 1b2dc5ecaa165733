/**
 * The live peers' link graph, as scenarios judge a room: one component, or split.
 */
import type { PeerId } from '../engine/types.js';

/** Connected components over `ids` (breadth-first), largest first. */
export function components(ids: readonly PeerId[], linksOf: (id: PeerId) => Iterable<PeerId>, live: (id: PeerId) => boolean): PeerId[][] {
  const seen = new Set<PeerId>();
  const out: PeerId[][] = [];
  for (const start of ids) {
    if (seen.has(start)) continue;
    const component = [start];
    seen.add(start);
    for (let i = 0; i < component.length; i++) {
      for (const next of linksOf(component[i] as PeerId)) {
        if (seen.has(next) || !live(next)) continue;
        seen.add(next);
        component.push(next);
      }
    }
    out.push(component);
  }
  return out.sort((a, b) => b.length - a.length);
}
