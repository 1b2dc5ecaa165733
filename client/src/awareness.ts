/**
 * A real y-protocols `Awareness`, backed by murmur presence, so y-* cursor
 * plugins (y-codemirror, y-prosemirror, y-monaco…) work unchanged.
 *
 * Mapping (see client/CHANNELS.md): each peer's awareness rides in its
 * presence under the reserved key `awareness` as `{ clientID, state }`
 * (`state` null once the peer cleared it). The local state is mirrored out
 * whenever it changes; remote presences are mirrored into
 * `awareness.states`/`meta` with 'change'/'update' events as y-protocols
 * emits them. A peer that leaves (or is declared dead) loses its state at
 * once. murmur presence already tells liveness, so remote states are kept
 * fresh here instead of timing out after y-protocols' 30 s.
 */
import type { Awareness } from 'y-protocols/awareness';
import { equalityDeep } from 'lib0/function';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { AWARENESS_REFRESH_MS, AwarenessRenewal, type RenewalInput } from '../../shared/src/doc/awareness-renewal.js';

/** The presence key that carries a peer's awareness. Reserved: apps should not write it. */
export const AWARENESS_KEY = 'awareness';

/** A presence without the awareness entry: what the app sees as `peer.presence`. */
export function appPresence(presence: Presence): Presence {
  if (!(AWARENESS_KEY in presence)) return presence;
  const { [AWARENESS_KEY]: _awareness, ...rest } = presence;
  return rest;
}

type AwarenessState = { [key: string]: unknown };

export interface AwarenessEntry {
  clientID: number;
  state: AwarenessState | null;
}

export interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

/** Read and check the awareness entry in a peer's presence; null if absent or malformed. */
export function readAwarenessEntry(presence: Presence): AwarenessEntry | null {
  const raw = presence[AWARENESS_KEY];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const { clientID, state } = raw as { clientID?: unknown; state?: unknown };
  // Yjs clientIDs bound to peer ids use all 53 bits (shared/src/doc/client-id.ts); y-protocols writes them as varuints.
  if (typeof clientID !== 'number' || !Number.isSafeInteger(clientID) || clientID < 0) return null;
  if (state === null) return { clientID, state: null };
  if (typeof state !== 'object' || state === undefined || Array.isArray(state)) return null;
  return { clientID, state: state as AwarenessState };
}

export interface AwarenessBridgeOptions {
  awareness: Awareness;
  /** Share this tab's entry (merged into presence under AWARENESS_KEY). */
  publish: (entry: JsonValue) => void;
  /** The origin passed with remote 'change'/'update' events (y-webrtc passes its room). */
  origin: unknown;
  /** Refresh remote `meta.lastUpdated` this often so y-protocols' 30 s timeout never drops a live peer. */
  refreshMs?: number;
}

export class AwarenessBridge {
  private readonly awareness: Awareness;
  private readonly options: AwarenessBridgeOptions;
  /** Each remote peer's awareness clientID, as last seen in its presence. */
  private readonly clientOf = new Map<PeerId, number>();
  /** When to renew the mirrored states (sans-IO, shared/src/doc/awareness-renewal.ts); this bridge keeps its timer. */
  private readonly renewal: AwarenessRenewal;
  private renewTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onChange = (changes: AwarenessChanges): void => {
    const self = this.awareness.clientID;
    if (changes.added.includes(self) || changes.updated.includes(self) || changes.removed.includes(self)) this.publishLocal();
  };

  constructor(options: AwarenessBridgeOptions) {
    this.options = options;
    this.awareness = options.awareness;
    this.awareness.on('change', this.onChange);
    this.renewal = new AwarenessRenewal(options.refreshMs ?? AWARENESS_REFRESH_MS);
    this.drive({ type: 'start' });
  }

  /** This tab's entry as it should appear in presence. */
  localEntry(): AwarenessEntry {
    return { clientID: this.awareness.clientID, state: this.awareness.getLocalState() };
  }

  publishLocal(): void {
    this.options.publish(this.localEntry() as unknown as JsonValue);
  }

  /** A peer joined or its presence changed. */
  peerPresence(peer: PeerId, presence: Presence): void {
    const entry = readAwarenessEntry(presence);
    const changes: AwarenessChanges = { added: [], updated: [], removed: [] };
    const touched: number[] = [];
    const previousId = this.clientOf.get(peer);
    if (previousId !== undefined && previousId !== entry?.clientID) {
      this.clientOf.delete(peer);
      if (this.removeState(previousId)) changes.removed.push(previousId);
    }
    if (entry && entry.clientID !== this.awareness.clientID) {
      this.clientOf.set(peer, entry.clientID);
      const previous = this.awareness.states.get(entry.clientID);
      if (entry.state === null) {
        if (this.removeState(entry.clientID)) changes.removed.push(entry.clientID);
      } else {
        const meta = this.awareness.meta.get(entry.clientID);
        this.awareness.states.set(entry.clientID, entry.state);
        this.awareness.meta.set(entry.clientID, { clock: (meta?.clock ?? -1) + 1, lastUpdated: Date.now() });
        if (previous === undefined) changes.added.push(entry.clientID);
        else if (!equalityDeep(previous, entry.state)) changes.updated.push(entry.clientID);
        else touched.push(entry.clientID);
      }
    }
    this.emit(changes, touched);
  }

  peerLeft(peer: PeerId): void {
    const clientID = this.clientOf.get(peer);
    if (clientID === undefined) return;
    this.clientOf.delete(peer);
    if (this.removeState(clientID)) this.emit({ added: [], updated: [], removed: [clientID] }, []);
  }

  /** The peer whose awareness uses `clientID`, if any (components map states to peers with it). */
  peerOf(clientID: number): PeerId | undefined {
    for (const [peer, id] of this.clientOf) if (id === clientID) return peer;
    return undefined;
  }

  /** Stop mirroring; remote states are removed (with events) so views empty out. */
  destroy(): void {
    this.drive({ type: 'stop' });
    this.awareness.off('change', this.onChange);
    const removed = [...this.clientOf.values()].filter((id) => this.removeState(id));
    this.clientOf.clear();
    this.emit({ added: [], updated: [], removed }, []);
  }

  private removeState(clientID: number): boolean {
    if (!this.awareness.states.has(clientID)) return false;
    this.awareness.states.delete(clientID);
    const meta = this.awareness.meta.get(clientID);
    this.awareness.meta.set(clientID, { clock: (meta?.clock ?? 0) + 1, lastUpdated: Date.now() });
    return true;
  }

  private emit(changes: AwarenessChanges, touched: number[]): void {
    const { added, updated, removed } = changes;
    if (added.length + updated.length + removed.length > 0) {
      this.awareness.emit('change', [{ added, updated, removed }, this.options.origin]);
    }
    if (added.length + updated.length + removed.length + touched.length > 0) {
      this.awareness.emit('update', [{ added, updated: [...updated, ...touched], removed }, this.options.origin]);
    }
  }

  private drive(input: RenewalInput): void {
    for (const output of this.renewal.handle(input, Date.now())) {
      if (output.type === 'renew') {
        for (const clientID of this.clientOf.values()) {
          const meta = this.awareness.meta.get(clientID);
          if (meta) meta.lastUpdated = output.at;
        }
      } else {
        if (this.renewTimer) clearTimeout(this.renewTimer);
        this.renewTimer = null;
        if (output.type === 'set-timer') this.renewTimer = setTimeout(() => this.drive({ type: 'timer' }), Math.max(0, output.at - Date.now()));
      }
    }
  }
}
