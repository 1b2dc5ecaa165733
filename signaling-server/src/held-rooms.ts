/**
 * The rooms one connection holds, room → its peer id there. Almost every
 * connection holds exactly one, so the first lives in two fields of the
 * connection itself and a Map is made only for a second room: a Map and its
 * hash table cost ~200 bytes, two fields 16 (a tenth of what a connection
 * costs the server in all).
 */
export interface HeldRooms {
  /** One room held (the first, while it is), with its peer id; undefined when none is kept inline. */
  room: string | undefined;
  peer: string | undefined;
  /** The other rooms held; undefined while there are none. */
  more: Map<string, string> | undefined;
}

export function heldPeer(held: HeldRooms, room: string): string | undefined {
  return held.room === room ? held.peer : held.more?.get(room);
}

/** Hold `room` as `peer` (or move to `peer` there, if it is held already). */
export function holdRoom(held: HeldRooms, room: string, peer: string): void {
  if (held.room === room || (held.room === undefined && held.more?.has(room) !== true)) {
    held.room = room;
    held.peer = peer;
    return;
  }
  (held.more ??= new Map()).set(room, peer);
}

/** Stop holding `room`; whether it was held. */
export function dropRoom(held: HeldRooms, room: string): boolean {
  if (held.room === room) {
    // Another room moves inline, so one held room never costs a Map.
    const next = held.more?.entries().next();
    held.room = next?.done === false ? next.value[0] : undefined;
    held.peer = next?.done === false ? next.value[1] : undefined;
    if (held.room !== undefined) held.more?.delete(held.room);
  } else if (held.more?.delete(room) !== true) {
    return false;
  }
  if (held.more?.size === 0) held.more = undefined;
  return true;
}

export function heldCount(held: HeldRooms): number {
  return (held.room === undefined ? 0 : 1) + (held.more?.size ?? 0);
}

/** The rooms held, as a fresh array (safe to drop rooms while walking it). */
export function heldRoomNames(held: HeldRooms): string[] {
  const names = held.more === undefined ? [] : [...held.more.keys()];
  if (held.room !== undefined) names.unshift(held.room);
  return names;
}
