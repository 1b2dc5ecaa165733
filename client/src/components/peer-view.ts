/**
 * How components read a peer: name and colour from presence (`name`,
 * `color`), else from its y-protocols awareness `user` field (what
 * y-codemirror and friends set), else from the id.
 */
import type { Presence } from '../index.js';

export interface PeerLook {
  name: string;
  color: string;
}

const PALETTE = ['#e5484d', '#f76b15', '#ffc53d', '#46a758', '#12a594', '#0090ff', '#6e56cf', '#d6409f'];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function lookOf(id: string, presence: Presence, awarenessState?: { [key: string]: unknown } | null): PeerLook {
  const user = (awarenessState?.user ?? null) as { name?: unknown; color?: unknown } | null;
  const name = typeof presence.name === 'string' ? presence.name : typeof user?.name === 'string' ? user.name : id.slice(0, 6);
  const color =
    typeof presence.color === 'string' ? presence.color : typeof user?.color === 'string' ? user.color : (PALETTE[hash(id) % PALETTE.length] as string);
  return { name, color };
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? (words[0]?.[0] ?? '') + (words[1]?.[0] ?? '') : name.slice(0, 2);
  return letters.toUpperCase() || '?';
}

/** A cursor as fractions of the target element; null when absent or malformed. */
export function cursorOf(presence: Presence): { x: number; y: number } | null {
  const cursor = presence.cursor as { x?: unknown; y?: unknown } | null | undefined;
  if (!cursor || typeof cursor.x !== 'number' || typeof cursor.y !== 'number') return null;
  if (!Number.isFinite(cursor.x) || !Number.isFinite(cursor.y)) return null;
  return { x: cursor.x, y: cursor.y };
}
