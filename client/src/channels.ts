/**
 * The app layer over the engine: demultiplexes the engine's opaque
 * broadcast/route payloads into channels (doc sync, app messages) and keeps the awareness mirror in step with membership. The Room
 * feeds it engine outputs and gives it two ways to send; bad bytes are
 * reported through `onMalformed` and dropped, never thrown. In a room with a
 * password every payload is sealed on its way to the engine and opened on
 * its way out (payload-seal.ts); one that does not open is bad bytes too.
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
import type { PayloadSeal } from './payload-seal.js';

export interface AppChannelsOptions {
  selfId: PeerId;
  doc: Y.Doc;
  awareness: Awareness;
  /** The origin of remote awareness events. */
  origin: unknown;
  broadcast: (payload: Uint8Array) => void;
  route: (to: PeerId, payload: Uint8Array) => void;
  publishAwareness: (entry: JsonValue) => void;
  onMessage: (message: RoomMessage) => void;
  onMalformed: (info: { from: PeerId; code: ErrorCode; message: string }) => void;
  random: () => number;
  syncIntervalMs: number;
  /** With a room password: seals what goes to the engine and opens what it delivers. */
  seal?: PayloadSeal;
}

export class AppChannels {
  readonly docSync: DocSync;
  readonly awareness: AwarenessBridge;
  private readonly options: AppChannelsOptions;
  private malformedCount = 0;
  /** The engine's two ways to send, behind the seal when the room has a password. */
  private readonly broadcast: (payload: Uint8Array) => void;
  private readonly route: (to: PeerId, payload: Uint8Array) => void;

  constructor(options: AppChannelsOptions) {
    this.options = options;
    const { seal } = options;
    this.broadcast = seal ? (frame) => seal.after(() => options.broadcast(seal.seal(undefined, frame))) : options.broadcast;
    this.route = seal ? (to, frame) => seal.after(() => options.route(to, seal.seal(to, frame))) : options.route;
    this.docSync = new DocSync({
      doc: options.doc,
      selfId: options.selfId,
      broadcast: this.broadcast,
      route: this.route,
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
    if (message.to === undefined) this.broadcast(payload);
    else this.route(message.to, payload);
  }

  /** An engine `deliver` (direct = false) or `routed` (direct = true) payload. */
  receive(from: PeerId, payload: Uint8Array, direct: boolean): void {
    // An engine that hands a node its own broadcast back must not make it hear itself.
    if (from === this.options.selfId) return;
    const { seal } = this.options;
    if (seal) seal.after(() => this.receiveFrame(from, payload, direct, seal));
    else this.receiveFrame(from, payload, direct, undefined);
  }

  private receiveFrame(from: PeerId, payload: Uint8Array, direct: boolean, seal: PayloadSeal | undefined): void {
    try {
      const frame = decodeFrame(seal ? seal.open(from, payload, direct) : payload);
      switch (frame.channel) {
        case Channel.DOC_UPDATE:
        case Channel.SYNC_STEP1:
        case Channel.SYNC_STEP2:
          try {
            this.docSync.receive(from, frame);
          } catch (error) {
            // A refused update (MURMUR_FOREIGN_CLIENT_ID) keeps its code; anything Yjs threw is bad bytes.
            if (error instanceof MurmurError) throw error;
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
      this.reportMalformed({ from, code: error instanceof MurmurError ? error.code : ErrorCode.BAD_WIRE, message: (error as Error).message });
    }
  }

  /** Bad app-layer input found elsewhere (a sealed presence that did not open, room-members.ts): counted with the rest. */
  reportMalformed(info: { from: PeerId; code: ErrorCode; message: string }): void {
    this.malformedCount += 1;
    this.options.onMalformed(info);
  }

  peerJoined(peer: PeerId, presence: Presence): void {
    this.awareness.peerPresence(peer, presence);
  }

  neighborUp(peer: PeerId): void {
    this.docSync.neighborUp(peer);
  }

  neighborDown(peer: PeerId): void {
    this.docSync.neighborDown(peer);
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
