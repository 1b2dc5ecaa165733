/**
 * Samples a Room once a second for `<murmur-inspector>`: links, per-link
 * round-trip times and message rates, and recent departures. Engine
 * introspection is optional: when the Room's debug surface has
 * `snapshot()` with `members: [{ id | peer, state }]`, suspect/dead states
 * come from there; otherwise only departures ('left' / 'dead') are shown.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerId, Room, RoomStats } from '../index.js';

export type NodeState = 'alive' | 'suspect' | 'dead' | 'left';

export interface MeshNode {
  id: PeerId;
  state: NodeState;
  link: 'open' | 'connecting' | null;
  rttMs: number | null;
  /** Frames per second over the link to this peer, in and out. */
  inRate: number;
  outRate: number;
  /** Bytes per second, in and out. */
  inBytesRate: number;
  outBytesRate: number;
}

export interface MeshSample {
  at: number;
  nodes: MeshNode[];
  stats: RoomStats;
  /** Totals per second. */
  inRate: number;
  outRate: number;
  inBytesRate: number;
  outBytesRate: number;
}

interface Departure {
  reason: 'left' | 'dead';
  at: number;
}

const DEPARTED_SHOWN_MS = 8000;

function snapshotStates(room: Room): Map<PeerId, NodeState> {
  const states = new Map<PeerId, NodeState>();
  const debug = room.debug as { snapshot?: () => unknown };
  let snapshot: unknown;
  try {
    snapshot = debug.snapshot?.();
  } catch {
    return states;
  }
  const members = (snapshot as { members?: unknown } | undefined)?.members;
  if (!Array.isArray(members)) return states;
  for (const member of members as Array<{ id?: unknown; peer?: unknown; state?: unknown; status?: unknown }>) {
    // The gossip engine names it `status`; the inspector also takes `state`.
    const state = member.status ?? member.state;
    const id = typeof member.id === 'string' ? member.id : typeof member.peer === 'string' ? member.peer : null;
    if (id && (state === 'alive' || state === 'suspect' || state === 'dead')) states.set(id, state);
  }
  return states;
}

export class MeshController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly getRoom: () => Room | null;
  private readonly periodMs: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private previous: { at: number; stats: RoomStats } | null = null;
  private readonly departed = new Map<PeerId, Departure>();
  private unsubscribe: (() => void) | null = null;
  private watched: Room | null = null;
  sample: MeshSample | null = null;

  constructor(host: ReactiveControllerHost, getRoom: () => Room | null, periodMs = 1000) {
    this.host = host;
    this.getRoom = getRoom;
    this.periodMs = periodMs;
    host.addController(this);
  }

  hostConnected(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.periodMs);
  }

  hostDisconnected(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.watched = null;
  }

  /** Take a sample now (also done every period). */
  tick(): void {
    const room = this.getRoom();
    this.watch(room);
    if (!room) {
      this.sample = null;
      this.host.requestUpdate();
      return;
    }
    const at = performance.now();
    const stats = room.stats();
    const dt = this.previous ? (at - this.previous.at) / 1000 : 0;
    const before = new Map(this.previous?.stats.perLink.map((link) => [link.peer, link]) ?? []);
    const rate = (now: number, then: number | undefined) => (dt > 0 && then !== undefined ? Math.max(0, (now - then) / dt) : 0);
    const links = new Map(room.debug.links().map((link) => [link.peer, link.state]));
    const traffic = new Map(stats.perLink.map((link) => [link.peer, link]));
    const states = snapshotStates(room);
    const ids = new Set<PeerId>([...room.peers.keys(), ...links.keys(), ...states.keys()]);
    for (const [id, departure] of this.departed) {
      if (at - departure.at > DEPARTED_SHOWN_MS) this.departed.delete(id);
      else ids.add(id);
    }
    const nodes: MeshNode[] = [...ids].sort().map((id) => {
      const link = traffic.get(id);
      const old = before.get(id);
      const departure = room.peers.has(id) ? undefined : this.departed.get(id);
      return {
        id,
        state: departure?.reason ?? states.get(id) ?? 'alive',
        link: links.get(id) ?? null,
        rttMs: link?.rttMs ?? null,
        inRate: link ? rate(link.messagesIn, old?.messagesIn) : 0,
        outRate: link ? rate(link.messagesOut, old?.messagesOut) : 0,
        inBytesRate: link ? rate(link.bytesIn, old?.bytesIn) : 0,
        outBytesRate: link ? rate(link.bytesOut, old?.bytesOut) : 0,
      };
    });
    const prev = this.previous?.stats;
    this.sample = {
      at,
      nodes,
      stats,
      inRate: rate(stats.messagesIn, prev?.messagesIn),
      outRate: rate(stats.messagesOut, prev?.messagesOut),
      inBytesRate: rate(stats.bytesIn, prev?.bytesIn),
      outBytesRate: rate(stats.bytesOut, prev?.bytesOut),
    };
    this.previous = { at, stats };
    this.host.requestUpdate();
  }

  private watch(room: Room | null): void {
    if (room === this.watched) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.watched = room;
    this.previous = null;
    this.departed.clear();
    if (!room || room.status === 'closed') return;
    const offLeave = room.on('peer-leave', (peer, reason) => {
      this.departed.set(peer.id, { reason, at: performance.now() });
      this.tick();
    });
    const offJoin = room.on('peer-join', (peer) => {
      this.departed.delete(peer.id);
      this.tick();
    });
    this.unsubscribe = () => {
      offLeave();
      offJoin();
    };
  }
}
