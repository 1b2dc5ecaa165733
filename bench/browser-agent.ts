/**
 * Page side of the browser benchmark: one agent per user, the same for every
 * system, over a small adapter (murmur's Room or y-webrtc's provider). It
 * stamps updates with the sender's clock and records, on receipt, how long
 * they took; every page is in one browser on one machine, so
 * `performance.timeOrigin + performance.now()` is one clock.
 */

export interface DocLike {
  getMap(name: string): {
    set(key: string, value: unknown): void;
    get(key: string): unknown;
    observe(f: (event: { keysChanged: Set<string> }) => void): void;
  };
}

export interface AgentSystem {
  selfId: string;
  /** Ids of the other users this one sees. */
  peers(): string[];
  /** Open WebRTC links. */
  links(): number;
  setPresence(patch: Record<string, unknown>): void;
  onPresence(listener: (peer: string, presence: Record<string, unknown>) => void): void;
  onPeerGone(listener: (peer: string) => void): void;
  /** The shared Y.Doc, or null when the system has none. */
  doc: DocLike | null;
  leave(): void;
}

export interface Receipt {
  from: string;
  seq: number;
  ms: number;
}

export interface AgentState {
  selfId: string;
  peers: string[];
  links: number;
  /** Clock time when this user first saw `expected` others, or null. */
  fullAt: number | null;
  sends: number;
  sendBytes: number;
}

export const now = (): number => performance.timeOrigin + performance.now();

interface SendCounter {
  count: number;
  bytes: number;
}

export function createAgent(system: AgentSystem, expected: number) {
  const presence: Receipt[] = [];
  const doc: Receipt[] = [];
  const lastPresenceSeq = new Map<string, number>();
  const goneAt = new Map<string, number>();
  let fullAt: number | null = null;
  const checkFull = () => {
    if (fullAt === null && system.peers().length >= expected) fullAt = now();
  };
  system.onPresence((peer, value) => {
    checkFull();
    const seq = value.bseq;
    const sentAt = value.bt;
    if (typeof seq !== 'number' || typeof sentAt !== 'number') return;
    if (seq <= (lastPresenceSeq.get(peer) ?? -1)) return;
    lastPresenceSeq.set(peer, seq);
    presence.push({ from: peer, seq, ms: now() - sentAt });
  });
  system.onPeerGone((peer) => {
    if (!goneAt.has(peer)) goneAt.set(peer, now());
  });
  const map = system.doc?.getMap('bench') ?? null;
  map?.observe((event) => {
    const at = now();
    for (const key of event.keysChanged) {
      if (key === system.selfId) continue;
      const value = map.get(key) as { seq?: unknown; t?: unknown } | undefined;
      if (typeof value?.seq === 'number' && typeof value.t === 'number') doc.push({ from: key, seq: value.seq, ms: at - value.t });
    }
  });
  const counter = (): SendCounter => (globalThis as { __benchSends?: SendCounter }).__benchSends ?? { count: 0, bytes: 0 };
  checkFull();
  return {
    hasDoc: map !== null,
    state(): AgentState {
      checkFull();
      const sends = counter();
      return { selfId: system.selfId, peers: system.peers(), links: system.links(), fullAt, sends: sends.count, sendBytes: sends.bytes };
    },
    presencePing(seq: number): void {
      system.setPresence({ bseq: seq, bt: now() });
    },
    docPing(seq: number): void {
      map?.set(system.selfId, { seq, t: now() });
    },
    /** Receipts so far, counted: presence and doc. */
    counts(): { presence: number; doc: number } {
      return { presence: presence.length, doc: doc.length };
    },
    takeReceipts(): { presence: Receipt[]; doc: Receipt[] } {
      return { presence: presence.splice(0), doc: doc.splice(0) };
    },
    goneAt(peer: string): number | null {
      if (!goneAt.has(peer) && !system.peers().includes(peer)) goneAt.set(peer, now());
      return goneAt.get(peer) ?? null;
    },
    leave(): void {
      system.leave();
    },
  };
}

export type Agent = ReturnType<typeof createAgent>;

/** Counts every RTCDataChannel send in the page (both systems send through it). Installed as an init script. */
export const SEND_COUNTER_SCRIPT = `(() => {
  const counter = { count: 0, bytes: 0 };
  globalThis.__benchSends = counter;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    counter.count += 1;
    counter.bytes += typeof data === 'string' ? new TextEncoder().encode(data).length : (data.byteLength ?? data.size ?? 0);
    return send.call(this, data);
  };
})();`;
