/**
 * A Yjs document on every tab of a scenario, kept in sync the way the client
 * does it: the sans-IO DocSync (shared/src/doc/doc-sync.ts) on the engine's
 * broadcast and route, fed the engine's neighbor-up and neighbor-down
 * (shared/src/sim/doc-heal.test.ts wires it the same way).
 *
 * Docs attach once the room has formed, each told its tab's neighbours then.
 */
import * as Y from 'yjs';
import { Channel, decodeFrame } from '../shared/src/doc/channel-codec.js';
import { ClientIdBinding } from '../shared/src/doc/client-id.js';
import { DocSync, type DocSyncInput } from '../shared/src/doc/doc-sync.js';
import type { EngineOutput, PeerId } from '../shared/src/engine/types.js';
import type { Room } from '../shared/src/sim/room.js';
import { createPrng } from '../shared/src/prng.js';

/** The client's default anti-entropy period for docs, ms (syncIntervalMs in client/src/options.ts). */
export const DOC_SYNC_INTERVAL_MS = 8000;

interface DocNode {
  doc: Y.Doc;
  sync: DocSync;
  /** Bumped on every set-timer: a re-armed timer replaces the one before (DocSyncOutput's contract). */
  timerEpoch: number;
}

export class ScenarioDocs {
  private readonly room: Room;
  private readonly nodes = new Map<PeerId, DocNode>();
  private readonly seed: number;
  /** Counts docs attached: seeds each doc's PRNGs (a tab that comes back gets a new doc and a new clientID). */
  private nextClient = 1;
  /** Doc frames a peer could not decode or apply (must stay 0). */
  malformed = 0;
  edits = 0;

  constructor(room: Room, seed: number) {
    this.room = room;
    this.seed = seed;
    room.sim.observers.push({ onEvent: (at, output) => this.onEvent(at, output) });
  }

  /** Gives every live peer a doc, now. */
  attachAll(): void {
    for (const id of this.room.sim.upNodes()) this.attach(id);
  }

  private attach(id: PeerId): void {
    const doc = new Y.Doc();
    const n = this.nextClient++;
    // Deterministic encodings: the clientID is bound to the peer id, its session part drawn from the seed.
    new ClientIdBinding({ doc, selfId: id, random: createPrng(this.seed * 104_729 + n).next });
    const sync = new DocSync({ doc, selfId: id, intervalMs: DOC_SYNC_INTERVAL_MS, random: createPrng(this.seed * 7919 + n).next });
    const node: DocNode = { doc, sync, timerEpoch: 0 };
    this.nodes.set(id, node);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== sync.origin) this.feed(id, { type: 'local-update', update });
    });
    this.feed(id, { type: 'start' });
    for (const peer of this.room.engine(id).neighbors()) this.feed(id, { type: 'neighbor-up', peer });
  }

  /** One edit on `id`'s doc (a key of its own in the shared map). */
  edit(id: PeerId): void {
    const node = this.nodes.get(id);
    if (!node || this.room.sim.nodes.get(id)?.state !== 'up') return;
    this.edits += 1;
    node.doc.getMap('m').set(`${id}#${this.edits}`, this.edits);
  }

  private feed(id: PeerId, input: DocSyncInput): void {
    const node = this.nodes.get(id) as DocNode;
    const sim = this.room.sim;
    for (const output of node.sync.handle(input, sim.now)) {
      if (output.type === 'broadcast') sim.command(id, { type: 'broadcast', payload: output.payload });
      else if (output.type === 'route') sim.command(id, { type: 'route', to: output.to, payload: output.payload });
      else if (output.type === 'set-timer') {
        const epoch = ++node.timerEpoch;
        sim.schedule(output.at, () => {
          if (node.timerEpoch === epoch && sim.nodes.get(id)?.state === 'up') this.feed(id, { type: 'timer' });
        });
      } else if (output.type === 'clear-timer') node.timerEpoch += 1;
    }
  }

  private onEvent(at: PeerId, output: EngineOutput): void {
    const node = this.nodes.get(at);
    if (!node) return;
    if (output.type === 'neighbor-up' || output.type === 'neighbor-down') {
      this.feed(at, { type: output.type, peer: output.peer });
    } else if (output.type === 'deliver' || output.type === 'routed') {
      const channel = output.payload[0];
      if (channel !== Channel.DOC_UPDATE && channel !== Channel.SYNC_STEP1 && channel !== Channel.SYNC_STEP2) return;
      try {
        const frame = decodeFrame(output.payload);
        if (frame.channel === Channel.MESSAGE || frame.channel === 'reserved') return;
        this.feed(at, { type: 'receive', from: output.from, frame });
      } catch {
        this.malformed += 1;
      }
    }
  }

  /** Number of distinct doc states among live peers (1 when all are equal). */
  distinctStates(): number {
    const states = new Set<string>();
    for (const [id, node] of this.nodes) {
      if (this.room.sim.nodes.get(id)?.state !== 'up') continue;
      states.add(Buffer.from(Y.encodeStateVector(node.doc)).toString('base64'));
      if (states.size > 1) return states.size;
    }
    return states.size;
  }

  /** True if every live doc holds the same map (compared in key order: replicas integrate keys in different orders). */
  contentsEqual(): boolean {
    let want: string | undefined;
    for (const [id, node] of this.nodes) {
      if (this.room.sim.nodes.get(id)?.state !== 'up') continue;
      const json = JSON.stringify(Object.entries(node.doc.getMap('m').toJSON()).sort(([a], [b]) => (a < b ? -1 : 1)));
      if (want === undefined) want = json;
      else if (json !== want) return false;
    }
    return true;
  }

  /** Keys in the first live doc's map (to show that the edits from both sides are there). */
  keys(): number {
    for (const [id, node] of this.nodes) if (this.room.sim.nodes.get(id)?.state === 'up') return node.doc.getMap('m').size;
    return 0;
  }
}
