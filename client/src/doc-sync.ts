/**
 * Drives the sans-IO doc sync (shared/src/doc/doc-sync.ts) with real time:
 * feeds it the doc's local updates and a timer, and does what it returns.
 * Inputs raised while outputs are handled (an observer that writes to the
 * doc while a remote update is applied) queue behind the current one.
 */
import type * as Y from 'yjs';
import type { PeerId } from '../../shared/src/engine/types.js';
import { DocSync as DocSyncCore, type DocFrame, type DocSyncInput, type DocSyncStats } from '../../shared/src/doc/doc-sync.js';

export type { DocSyncStats } from '../../shared/src/doc/doc-sync.js';

export interface DocSyncOptions {
  doc: Y.Doc;
  /** This tab's peer id; the doc's clientID must be one it owns (ClientIdBinding, shared/src/doc/client-id.ts). */
  selfId: PeerId;
  broadcast: (payload: Uint8Array) => void;
  route: (to: PeerId, payload: Uint8Array) => void;
  /** Mean period of the exchange with a random neighbour, ms; each wait is drawn from [0.5, 1.5) of it. */
  intervalMs: number;
  /** Uniform [0, 1). */
  random: () => number;
}

export class DocSync {
  readonly doc: Y.Doc;
  private readonly options: DocSyncOptions;
  private readonly core: DocSyncCore;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly queue: DocSyncInput[] = [];
  private busy = false;
  private readonly onUpdate = (update: Uint8Array, origin: unknown): void => {
    // Our own applications of remote updates carry the core as origin: never echo them.
    if (origin !== this.core.origin) this.input({ type: 'local-update', update });
  };

  constructor(options: DocSyncOptions) {
    this.options = options;
    this.doc = options.doc;
    this.core = new DocSyncCore({ doc: options.doc, selfId: options.selfId, intervalMs: options.intervalMs, random: options.random });
    this.doc.on('update', this.onUpdate);
    this.input({ type: 'start' });
  }

  stats(): DocSyncStats {
    return this.core.stats();
  }

  /** The engine's neighbor-up: a direct link to sync over. */
  neighborUp(peer: PeerId): void {
    this.input({ type: 'neighbor-up', peer });
  }

  neighborDown(peer: PeerId): void {
    this.input({ type: 'neighbor-down', peer });
  }

  /** Handle a doc-channel frame from `from`. Throws on a bad update, or a broadcast one under a clientID `from` does not own (caller counts it as malformed). */
  receive(from: PeerId, frame: DocFrame): void {
    this.input({ type: 'receive', from, frame });
  }

  stop(): void {
    this.doc.off('update', this.onUpdate);
    this.input({ type: 'stop' });
  }

  private input(input: DocSyncInput): void {
    this.queue.push(input);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const output of this.core.handle(next, Date.now())) {
          switch (output.type) {
            case 'broadcast':
              this.options.broadcast(output.payload);
              break;
            case 'route':
              this.options.route(output.to, output.payload);
              break;
            case 'set-timer':
              if (this.timer) clearTimeout(this.timer);
              this.timer = setTimeout(() => {
                this.timer = null;
                this.input({ type: 'timer' });
              }, Math.max(0, output.at - Date.now()));
              break;
            case 'clear-timer':
              if (this.timer) clearTimeout(this.timer);
              this.timer = null;
              break;
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
