/**
 * The app layer over the engine: demultiplexes the engine's opaque
 * broadcast/route payloads into channels (doc sync, app messages) and keeps the awareness mirror in step with membership. The Room
 * feeds it engine outputs and gives it two ways to send; bad bytes are
 * reported through `onMalformed` and dropped, never thrown.
 */
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import type { CheckedMessage, RoomMessage } from './app-message.js';
import { AwarenessBridge } from './awareness.js';
import { Channel, decodeFrame, encodeFrame } from './channel-codec.js';
import { DocSync, type DocSyncStats } from './doc-sync.js';

export interface AppChannelsOptions {
  selfId: PeerId;
  doc: Y.Doc;
  awareness: Awareness;
  /** The origin of remote awareness events. */
  origin: unknown;
  broadcast: (payload: Uint8Array) => void;
  route: (to: PeerId, payload: Uint8Array) => void;
  members: () => readonly PeerId[];
  publishAwareness: (entry: JsonValue) => void;
  onMessage: (message: RoomMessage) => void;
  onMalformed: (info: { from: PeerId; code: ErrorCode; message: string }) => void;
  random: () => number;
  syncIntervalMs: number;
}

export class AppChannels {
  readonly docSync: DocSync;
  readonly awareness: AwarenessBridge;
  private readonly options: AppChannelsOptions;
  private malformedCount = 0;

  constructor(options: AppChannelsOptions) {
    this.options = options;
    this.docSync = new DocSync({
      doc: options.doc,
      broadcast: options.broadcast,
      route: options.route,
      members: options.members,
      intervalMs: options.syncIntervalMs,
      random: options.random,
    });
    this.awareness = new AwarenessBridge({ awareness: options.awareness, publish: options.publishAwareness, origin: options.origin });
  }

  get malformed(): number {
    return this.malformedCount;
  }

  docStats(): DocSyncStats {
    return this.docSync.stats();
  }

  send(message: CheckedMessage): void {
    const payload = encodeFrame({ channel: Channel.MESSAGE, topic: message.topic, data: message.data });
    if (message.to === undefined) this.options.broadcast(payload);
    else this.options.route(message.to, payload);
  }

  /** An engine `deliver` (direct = false) or `routed` (direct = true) payload. */
  receive(from: PeerId, payload: Uint8Array, direct: boolean): void {
    // An engine that hands a node its own broadcast back must not make it hear itself.
    if (from === this.options.selfId) return;
    try {
      const frame = decodeFrame(payload);
      switch (frame.channel) {
        case Channel.DOC_UPDATE:
        case Channel.SYNC_STEP1:
        case Channel.SYNC_STEP2:
          try {
            this.docSync.receive(from, frame);
          } catch (error) {
            throw new MurmurError(ErrorCode.BAD_WIRE, `bad Yjs data on channel ${frame.channel}: ${(error as Error).message}`);
          }
          return;
        case Channel.MESSAGE:
          this.options.onMessage({ from, topic: frame.topic, data: frame.data, direct });
          return;
        case 'reserved':
          // A retired channel (PING/PONG from an older peer): skipped.
          return;
      }
    } catch (error) {
      this.malformedCount += 1;
      const code = error instanceof MurmurError ? error.code : ErrorCode.BAD_WIRE;
      this.options.onMalformed({ from, code, message: (error as Error).message });
    }
  }

  peerJoined(peer: PeerId, presence: Presence): void {
    this.awareness.peerPresence(peer, presence);
    this.docSync.peerJoined(peer);
  }

  peerPresence(peer: PeerId, presence: Presence): void {
    this.awareness.peerPresence(peer, presence);
  }

  peerLeft(peer: PeerId): void {
    this.awareness.peerLeft(peer);
  }

  stop(): void {
    this.docSync.stop();
    this.awareness.destroy();
  }
}
