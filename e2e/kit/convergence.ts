/**
 * When has a room converged? Every live user sees exactly the other live
 * users, sees each one's presence as that user has it, and holds the same
 * Yjs state vector. `findDisagreements` says, in words, who disagrees about
 * what; an empty list means converged.
 */
import type { UserSnapshot } from './snapshot.js';

export interface LabelledSnapshot {
  /** How messages name this user, e.g. "user[2]". */
  label: string;
  snapshot: UserSnapshot;
}

/**
 * @param live the users that should agree
 * @param names label for any peer id the kit knows (also killed and closed users), for the explanation
 */
export function findDisagreements(live: readonly LabelledSnapshot[], names: ReadonlyMap<string, string> = new Map()): string[] {
  const problems: string[] = [];
  const byId = new Map(live.map((user) => [user.snapshot.selfId, user]));
  const name = (id: string) => {
    const label = byId.get(id)?.label ?? names.get(id);
    return label ? `${label} (${id})` : id;
  };
  for (const user of live) {
    const { selfId, peers, presence } = user.snapshot;
    const who = `${user.label} (${selfId})`;
    const seen = new Set(peers);
    const missing = [...byId.keys()].filter((id) => id !== selfId && !seen.has(id));
    const extra = peers.filter((id) => !byId.has(id));
    if (missing.length > 0) problems.push(`${who} does not see ${missing.map(name).join(', ')}`);
    if (extra.length > 0) {
      // What the engine and the link layer hold about each one says which mechanism failed.
      const why = (id: string) => {
        const record = user.snapshot.members?.[id];
        const link = user.snapshot.links?.find((l) => l.peer === id)?.state;
        const facts = [record !== undefined ? `engine: ${record}` : '', link !== undefined ? `link: ${link}` : ''].filter(Boolean);
        return facts.length > 0 ? `${name(id)} [${facts.join(', ')}]` : name(id);
      };
      problems.push(`${who} still sees ${extra.map(why).join(', ')}, which should be gone`);
    }
    for (const id of peers) {
      const owner = byId.get(id);
      if (!owner) continue;
      // Versions are compared below (among observers); the value is compared
      // here against what `id` itself holds, which no version can show.
      const seenPresence = stableJson(presence[id] ?? null);
      const ownPresence = stableJson(owner.snapshot.selfPresence);
      if (seenPresence !== ownPresence) {
        problems.push(`${who} has presence of ${name(id)} as ${seenPresence}, but ${name(id)} has ${ownPresence}`);
      }
    }
  }
  problems.push(...versionDisagreements(live, name));
  const withDocs = live.filter((user) => user.snapshot.stateVector !== null);
  if (withDocs.length > 0) {
    for (const user of live) {
      if (user.snapshot.stateVector === null) problems.push(`${user.label} (${user.snapshot.selfId}) has no room.doc while others do`);
    }
    const reference = withDocs[0]!;
    for (const user of withDocs.slice(1)) {
      const diff = stateVectorDiff(reference.snapshot.stateVector!, user.snapshot.stateVector!);
      if (diff) {
        problems.push(
          `Yjs state vectors differ: ${reference.label} (${reference.snapshot.selfId}) vs ${user.label} (${user.snapshot.selfId}): ${diff}`,
        );
      }
    }
  }
  return problems;
}

/** "client 17: 4 vs 3; client 9: missing vs 2", or '' when equal. */
export function stateVectorDiff(a: Record<string, number>, b: Record<string, number>): string {
  const clients = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return clients
    .filter((client) => a[client] !== b[client])
    .map((client) => `client ${client}: ${a[client] ?? 'missing'} vs ${b[client] ?? 'missing'}`)
    .join('; ');
}

/** Peers that expose presence versions must be seen at the same version by everyone. */
function versionDisagreements(live: readonly LabelledSnapshot[], name: (id: string) => string): string[] {
  const problems: string[] = [];
  const seenAt = new Map<string, Map<string, string[]>>();
  for (const user of live) {
    for (const [id, version] of Object.entries(user.snapshot.versions ?? {})) {
      const key = stableJson(version);
      const versions = seenAt.get(id) ?? new Map<string, string[]>();
      versions.set(key, [...(versions.get(key) ?? []), user.label]);
      seenAt.set(id, versions);
    }
  }
  for (const [id, versions] of seenAt) {
    if (versions.size > 1) {
      const views = [...versions].map(([version, labels]) => `${labels.join(', ')} at ${version}`).join('; ');
      problems.push(`presence versions of ${name(id)} differ: ${views}`);
    }
  }
  return problems;
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
