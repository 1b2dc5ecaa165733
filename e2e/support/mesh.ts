/**
 * Helpers for specs that break a room's mesh on purpose: who links to whom,
 * which departures a mesh can survive, and "does every tab hear every other".
 */
import type { User } from '../kit/index.js';

export const openLinks = async (user: User): Promise<string[]> =>
  ((await user.snapshot()).links ?? []).filter((l) => l.state === 'open').map((l) => l.peer);

/** Each user's open links, by peer id. */
export async function linkGraph(users: readonly User[]): Promise<Map<string, Set<string>>> {
  const graph = new Map<string, Set<string>>();
  for (const user of users) graph.set(user.id, new Set(await openLinks(user)));
  return graph;
}

/** Every open link in the room, as "a|b" pairs. */
export async function linkPairs(users: readonly User[]): Promise<Set<string>> {
  const pairs = new Set<string>();
  for (const [id, peers] of await linkGraph(users)) for (const peer of peers) pairs.add([id, peer].sort().join('|'));
  return pairs;
}

/** Whether `nodes` form one component of `graph` (edges to other nodes ignored). */
export function connected(nodes: readonly string[], graph: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  if (nodes.length === 0) return true;
  const set = new Set(nodes);
  const seen = new Set<string>([nodes[0]!]);
  const stack = [nodes[0]!];
  while (stack.length > 0) {
    for (const next of graph.get(stack.pop()!) ?? []) {
      if (set.has(next) && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen.size === set.size;
}

/**
 * Three victims, in order, leaving survivors with the fewest links among
 * themselves while every removal keeps the remaining mesh connected: with
 * the server down, a tab cut off by a departure has no way back, so a plan
 * that cuts one off tests nothing but that.
 */
export function planDepartures(ids: string[], graph: ReadonlyMap<string, ReadonlySet<string>>): { order: string[]; survivorEdges: number } {
  let best: { order: string[]; survivorEdges: number } | null = null;
  const permutations = (items: string[]): string[][] =>
    items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  const seen = new Set<string>();
  for (const order of permutations(ids).map((p) => p.slice(0, 3))) {
    const key = order.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const survivors = ids.filter((id) => !order.includes(id));
    const edges = survivors.flatMap((a, i) => survivors.slice(i + 1).filter((b) => graph.get(a)?.has(b))).length;
    if (best && edges >= best.survivorEdges) continue;
    const stays = [1, 2, 3].every((k) => connected(ids.filter((id) => !order.slice(0, k).includes(id)), graph));
    if (stays) best = { order, survivorEdges: edges };
  }
  if (!best) throw new Error(`no departure order keeps the mesh connected: ${JSON.stringify([...graph].map(([k, v]) => [k, [...v]]))}`);
  return best;
}

/**
 * Each user publishes `{ [key]: token }`; resolves with the time (ms) until
 * every user has every other user's token, or throws naming who lacks whose.
 */
export async function hearEachOther(users: readonly User[], key: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const token = (user: User) => `${user.id}:${started}`;
  await Promise.all(users.map((user) => user.updatePresence({ [key]: token(user) })));
  const deadline = started + timeoutMs;
  let missing: string[] = [];
  for (;;) {
    const snaps = await Promise.all(users.map((user) => user.snapshot()));
    missing = [];
    snaps.forEach((snap, i) => {
      for (const other of users) {
        if (other === users[i]) continue;
        if (snap.presence[other.id]?.[key] !== token(other)) missing.push(`${users[i]!.label} lacks ${other.label}'s update`);
      }
    });
    if (missing.length === 0) return Date.now() - started;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const views = await Promise.all(
    users.map(async (user) => {
      const snap = await user.snapshot();
      return `${user.label}=${user.id} links [${(snap.links ?? []).map((l) => `${l.peer}:${l.state}`).join(' ')}] members ${JSON.stringify(snap.members)}`;
    }),
  );
  throw new Error(`presence did not reach everyone within ${timeoutMs} ms:\n  - ${missing.join('\n  - ')}\n  ${views.join('\n  ')}`);
}

/** The engines' own view (active, passive, pending, members) of each user, for failure messages and to-churn notes. */
export async function engineViews(users: readonly User[]): Promise<string> {
  const lines = await Promise.all(
    users
      .filter((user) => user.state === 'live')
      .map(async (user) => {
        const view = await user
          .evaluate((room) => {
            const s = room.debug.snapshot();
            return {
              status: room.status,
              links: room.debug.links().map((l) => `${l.peer}:${l.state}`),
              active: s.active,
              passive: s.passive,
              pending: s.pending,
              eager: s.eager,
              members: s.members.map((m) => `${m.peer}=${m.status}@${m.incarnation}`),
            };
          })
          .catch((error: Error) => ({ error: error.message.split('\n')[0] }));
        return `${user.label}=${user.id} ${JSON.stringify(view)}`;
      }),
  );
  return lines.join('\n  ');
}

/**
 * The departure that hurts most without being hopeless: among `candidates`
 * (spawn order breaks ties), the tab whose removal keeps the current link
 * graph of the others connected (with the server down a tab cut off by a
 * departure has no way back, so that would test nothing) and leaves the
 * weakest of them with the fewest links, then the fewest links in all. The
 * survivors then live on repairs.
 */
export function pickVictim(alive: readonly User[], candidates: readonly User[], graph: ReadonlyMap<string, ReadonlySet<string>>): User {
  let best: { user: User; minDegree: number; edges: number } | null = null;
  for (const user of candidates) {
    const rest = alive.filter((u) => u !== user).map((u) => u.id);
    if (!connected(rest, graph)) continue;
    const restSet = new Set(rest);
    const degrees = rest.map((id) => [...(graph.get(id) ?? [])].filter((p) => restSet.has(p)).length);
    const minDegree = Math.min(...degrees);
    const edges = degrees.reduce((a, b) => a + b, 0) / 2;
    if (!best || minDegree < best.minDegree || (minDegree === best.minDegree && edges < best.edges)) best = { user, minDegree, edges };
  }
  if (!best) throw new Error(`every departure would cut a tab off: ${JSON.stringify([...graph].map(([k, v]) => [k, [...v]]))}`);
  return best.user;
}
