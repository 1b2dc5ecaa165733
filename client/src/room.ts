/**
 * A Room is one tab's membership of one murmur room: the public face over
 * the engine driver, the WebRTC links and the signaling connection.
 */
import { equalityDeep } from 'lib0/function';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import { GOSSIP_DEFAULTS } from '../../shared/src/gossip/config.js';
import { GossipEngine, type GossipSnapshot } from '../../shared/src/gossip/gossip-engine.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { createPrng } from '../../shared/src/prng.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { checkMessage, type BroadcastOptions, type RoomMessage } from './app-message.js';
import { AWARENESS_KEY, appPresence } from './awareness.js';
import { AppChannels } from './channels.js';
import { EngineDriver, type AppOutput } from './engine-driver.js';
import { Emitter } from './emitter.js';
import { LinkManager, type LinkInfo } from './link-manager.js';
import { MESH_SIGNAL_CHANNEL, decodeMeshSignal, encodeMeshSignal } from './mesh-signal.js';
import { MAX_PRESENCE_BYTES, checkPresence, checkRoomId, resolveOptions, type JoinOptions } from './options.js';
import { SignalingClient, type SignalingError, type SignalingStatus, type WebSocketConstructor } from './signaling-client.js';
import { JoinGate } from './join-gate.js';
import { reportSignalingErrors } from './signaling-report.js';
import { TrafficStats, type LinkTraffic, type TrafficCounters } from './stats.js';
import { computeStatus, type RoomStatus } from './status.js';
import { persistDoc, type DocPersistence } from './persistence.js';
import { whenSynced } from './when-synced.js';

export interface PeerInfo {
  readonly id: PeerId;
  readonly presence: Presence;
}

export type LeaveReason = 'left' | 'dead';

/** Event name → listener arguments. A type, not an interface: no index signature, so a misspelt name is a compile error. */
export type RoomEvents = {
  /** A peer joined, with its presence (the join waits briefly for it; see join-gate.ts). */
  'peer-join': [peer: PeerInfo];
  'peer-leave': [peer: PeerInfo, reason: LeaveReason];
  /** A remote peer's presence changed. */
  presence: [peer: PeerInfo];
  /** Bytes from a peer could not be decoded and were dropped. */
  malformed: [info: { from: PeerId; code: ErrorCode; message: string }];
  /** A signaling server refused this tab for good (4401 bad token, 4403 origin); it is not retried. */
  'signaling-refused': [info: { url: string; code: number; reason: string }];
  /** An app event sent with `room.broadcast(topic, data, { to? })`, once per message. */
  message: [message: RoomMessage];
  /** `room.status` changed. */
  status: [status: RoomStatus];
  /**
   * A signaling server sent an error frame (PEER_ID_TAKEN, ROOM_FULL, ROOM_FORBIDDEN,
   * TOO_MANY_ROOMS, UNAVAILABLE…), or none could be reached (SIGNALING_UNREACHABLE: a
   * wrong URL or nothing listening; retries go on, `room.status` is 'disconnected').
   */
  'signaling-error': [error: SignalingError];
};

/** `room.stats()`: a snapshot of counters since join. */
export interface RoomStats extends TrafficCounters {
  /** Other live members. */
  peers: number;
  /** Open WebRTC links, and handshakes still running. */
  links: { open: number; connecting: number };
  /** Per neighbour: frames/bytes and the last round-trip time. */
  perLink: LinkTraffic[];
  /**
   * Duplicates dropped: Yjs updates that arrived but added nothing (already
   * had them), plus the engine's dropped duplicate broadcasts when the
   * gossip engine's duplicate broadcasts dropped (`debug.snapshot().stats.duplicates`).
   */
  duplicatesDropped: number;
  /** Undecodable app-channel payloads dropped (also emitted as 'malformed'). */
  malformed: number;
  doc: { updatesSent: number; updatesReceived: number; duplicateUpdates: number; syncRounds: number };
}

export interface RoomPresence {
  /** Merge `patch` into this tab's presence (shallow) and share it. */
  update(patch: Presence): void;
  /** This tab's current presence. */
  get(): Presence;
}

/** Test and debugging hooks; see README "Fault injection". */
export interface RoomDebug {
  links(): LinkInfo[];
  /** Close every WebRTC link at once, as a network cut would. */
  dropLinks(): void;
  /** Stop using the signaling server (the mesh carries on); `resumeSignaling()` undoes it. */
  stopSignaling(): void;
  resumeSignaling(): void;
  signalingStatus(): SignalingStatus;
  /** The gossip engine's view: active/passive views, member states, RTTs, counters. */
  snapshot(): GossipSnapshot;
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] as number;
}

/** A neighbour that lets this much pile up unsent is stalled: drop the link. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Largest frame accepted from a neighbour after reassembly (Yjs snapshots can be big). */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;

const monotonicNow = (): number => globalThis.performance.now();

export class Room {
  readonly id: string;
  readonly selfId: PeerId;
  readonly presence: RoomPresence;
  readonly debug: RoomDebug;
  private readonly events = new Emitter<RoomEvents>();
  private readonly members = new Map<PeerId, PeerInfo>();
  private readonly joins = new JoinGate((peer, presence) => this.admit(peer, presence));
  private readonly driver: EngineDriver;
  private readonly linkManager: LinkManager;
  private readonly signaling: SignalingClient;
  private ownPresence: Presence;
  private closed = false;
  /** The shared Yjs document (options.doc, or a new one). */
  readonly doc: Y.Doc;
  /** Resolves once the stored doc (`persist`) is loaded and, if peers exist, one has answered a doc sync. */
  readonly whenSynced: Promise<void>;
  private readonly persistence: DocPersistence | undefined;
  private peersAtJoin: number | undefined;
  /** A y-protocols Awareness backed by murmur presence (key `awareness`, see client/CHANNELS.md). */
  readonly awareness: Awareness;
  private readonly channels: AppChannels;
  private readonly traffic = new TrafficStats();
  private currentStatus: RoomStatus = 'connecting';
  private everReachedServer = false;
  private readonly statusTimer: ReturnType<typeof setInterval>;
  private readonly onPageHide = () => {
    // The page is going away and no timer will run again: close every link
    // now (the far side sees the close at once) instead of draining first.
    this.linkManager.drainOnClose = false;
    this.leave();
  };

  constructor(roomId: unknown, rawOptions: unknown) {
    this.id = checkRoomId(roomId);
    const options = resolveOptions(rawOptions);
    const WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
    if (!WebSocketImpl) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'no global WebSocket here: pass options.WebSocket (e.g. the ws package)');
    }
    this.selfId = options.peerId ?? randomHex(8);
    // The whole initial presence (with the awareness entry a fresh Awareness publishes, state {}) is
    // checked before anything starts: a room that throws here has no timer, socket or listener to leak.
    this.doc = options.doc ?? new Y.Doc();
    checkPresence({ ...options.presence, [AWARENESS_KEY]: { clientID: this.doc.clientID, state: {} } }, 'options.presence');
    this.ownPresence = options.presence;
    const rng = createPrng(randomSeed());

    const engine = new GossipEngine({
      selfId: this.selfId,
      rng,
      overlay: { maxLinks: options.maxLinks, targetLinks: Math.min(GOSSIP_DEFAULTS.overlay.targetLinks, options.maxLinks) },
      presence: { throttleMs: options.presenceThrottleMs },
      // The link layer cuts frames into 16 KiB pieces, so app payloads (Yjs
      // snapshots) may be far bigger than one data-channel message.
      limits: { maxPayloadBytes: MAX_FRAME_BYTES / 2, maxPresenceBytes: MAX_PRESENCE_BYTES },
      // A reloaded tab that reuses its peer id must outrank verdicts about
      // its previous life: start from wall-clock seconds.
      initialIncarnation: Math.floor(Date.now() / 1000),
    });
    this.driver = new EngineDriver(engine, monotonicNow, (output) => this.onEngineOutput(output));

    this.signaling = new SignalingClient({
      urls: options.signaling,
      room: this.id,
      peer: this.selfId,
      WebSocket: WebSocketImpl,
      random: () => rng.next(),
    });
    this.linkManager = new LinkManager({
      selfId: this.selfId,
      // Both paths at once: the server may be down, or the target may not
      // be reachable over the mesh yet; the far side drops the duplicate.
      sendSignal: (to, data) => {
        const viaServer = this.signaling.signal(to, data);
        this.driver.input({ type: 'route', to, payload: encodeMeshSignal(data) });
        // With a neighbour the mesh may carry it (routed, or flooded as a last resort).
        return viaServer || engine.neighbors().size > 0;
      },
      rtcConfig: options.rtcConfig,
      wrtc: options.wrtc,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      maxQueuedBytes: MAX_QUEUED_BYTES,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxLinks: options.maxLinks,
      newSessionId: () => rng.hex(8),
      now: monotonicNow,
    });

    this.linkManager.on('up', (peer) => this.driver.input({ type: 'link-up', peer }));
    this.linkManager.on('down', (peer) => this.driver.input({ type: 'link-down', peer }));
    this.linkManager.on('malformed', (from, message) =>
      this.events.emit('malformed', { from, code: ErrorCode.BAD_WIRE, message }),
    );
    this.linkManager.on('data', (from, bytes) => {
      this.traffic.record('in', from, bytes.byteLength);
      this.driver.input({ type: 'receive', from, bytes });
    });
    this.linkManager.on('up', () => this.updateStatus());
    this.linkManager.on('down', (peer) => {
      this.traffic.forget(peer);
      this.updateStatus();
    });
    this.signaling.on('status', (status) => {
      if (status === 'open') this.everReachedServer = true;
      this.updateStatus();
    });
    this.signaling.on('joined', (peers) => {
      this.peersAtJoin ??= peers.length;
      this.driver.input({ type: 'discovered', peers });
    });
    // Newcomers are repair candidates too, and the way in for a tab left alone.
    this.signaling.on('peer-joined', (peer) => this.driver.input({ type: 'discovered', peers: [peer] }));
    this.signaling.on('refused', (info) => this.events.emit('signaling-refused', info));
    reportSignalingErrors(this.signaling, (error) => this.events.emit('signaling-error', error));
    this.signaling.on('signal', (from, data) => this.linkManager.onSignal(from, data));

    this.presence = {
      update: (patch) => {
        this.assertOpen();
        const checked = checkPresence(patch, 'presence patch');
        if (AWARENESS_KEY in checked) {
          throw new MurmurError(ErrorCode.BAD_ARGUMENT, `presence key '${AWARENESS_KEY}' is reserved for room.awareness; use awareness.setLocalState()`);
        }
        // Checked (here, and by the engine against the same limit) before anything changes.
        const next = checkPresence({ ...this.ownPresence, ...checked }, 'presence');
        this.driver.input({ type: 'set-presence', presence: next });
        this.ownPresence = next;
      },
      get: () => appPresence(this.ownPresence),
    };
    this.debug = {
      links: () => this.linkManager.list(),
      dropLinks: () => {
        for (const link of this.linkManager.list()) this.linkManager.close(link.peer);
      },
      stopSignaling: () => this.signaling.suspend(),
      resumeSignaling: () => this.signaling.start(),
      signalingStatus: () => this.signaling.status,
      snapshot: () => engine.snapshot(),
    };

    this.persistence = options.persist ? persistDoc(this.id, this.doc) : undefined;
    this.awareness = new Awareness(this.doc);
    this.channels = new AppChannels({
      selfId: this.selfId,
      doc: this.doc,
      awareness: this.awareness,
      origin: this,
      broadcast: (payload) => this.driver.input({ type: 'broadcast', payload }),
      route: (to, payload) => this.driver.input({ type: 'route', to, payload }),
      members: () => [...this.members.keys()],
      publishAwareness: (entry) => {
        if (this.closed) return;
        const next = checkPresence({ ...this.ownPresence, [AWARENESS_KEY]: entry }, 'awareness state');
        this.driver.input({ type: 'set-presence', presence: next });
        this.ownPresence = next;
      },
      onMessage: (message) => this.events.emit('message', message),
      onMalformed: (info) => this.events.emit('malformed', info),
      random: () => rng.next(),
      syncIntervalMs: options.syncIntervalMs,
    });
    this.ownPresence = { ...this.ownPresence, [AWARENESS_KEY]: this.channels.awareness.localEntry() as unknown as Presence[string] };
    // Handshakes that fail quietly leave no event behind: re-derive the status now and then too.
    this.statusTimer = setInterval(() => this.updateStatus(), 1000);

    this.driver.input({ type: 'start' });
    if (Object.keys(this.ownPresence).length > 0) this.driver.input({ type: 'set-presence', presence: this.ownPresence });
    this.signaling.start();
    globalThis.addEventListener?.('pagehide', this.onPageHide);
    this.whenSynced = whenSynced(
      {
        status: () => this.currentStatus,
        updatesReceived: () => this.channels.docStats().updatesReceived,
        peersAtJoin: () => this.peersAtJoin,
        onStatus: (l) => this.on('status', l),
      },
      this.persistence?.loaded,
    );
  }

  /** See RoomStatus: 'connecting' | 'connected' | 'alone' | 'disconnected' | 'closed'. */
  get status(): RoomStatus {
    return this.currentStatus;
  }

  /**
   * Send an ephemeral app event to every other peer (or only `options.to`):
   * they get a 'message' event `{ from, topic, data, direct }`, once.
   */
  broadcast(topic: string, data: JsonValue | Uint8Array, options?: BroadcastOptions): void {
    this.assertOpen();
    this.channels.send(checkMessage(topic, data, options, this.selfId));
  }

  stats(): RoomStats {
    const links = this.linkManager.list();
    const doc = this.channels.docStats();
    const snapshot = this.debug.snapshot();
    return {
      ...this.traffic.totals(),
      peers: this.members.size,
      links: { open: links.filter((l) => l.state === 'open').length, connecting: links.filter((l) => l.state !== 'open').length },
      // Round trips come from the engine's SWIM probe acks (no extra traffic).
      perLink: this.traffic.links(snapshot.rttMs),
      duplicatesDropped: doc.duplicateUpdates + snapshot.stats.duplicates,
      malformed: this.channels.malformed,
      doc,
    };
  }

  /** The other live peers in the room, by id. */
  get peers(): ReadonlyMap<PeerId, PeerInfo> {
    return this.members;
  }

  on<Name extends keyof RoomEvents & string>(name: Name, listener: (...args: RoomEvents[Name]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Say goodbye to every neighbour and free every link, timer and socket. Idempotent. */
  leave(): void {
    if (this.closed) return;
    this.channels.stop();
    this.awareness.destroy();
    clearInterval(this.statusTimer);
    this.driver.input({ type: 'leave' });
    this.closed = true;
    this.updateStatus();
    this.driver.stop();
    this.joins.clear();
    this.signaling.stop();
    this.linkManager.closeAll();
    this.persistence?.destroy();
    this.members.clear();
    this.events.clear();
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
  }

  private admit(peer: PeerId, presence: Presence): void {
    const info: PeerInfo = { id: peer, presence: appPresence(presence) };
    this.members.set(peer, info);
    this.events.emit('peer-join', info);
    this.channels.peerJoined(peer, presence);
    this.updateStatus();
  }

  private assertOpen(): void {
    if (this.closed) throw new MurmurError(ErrorCode.ROOM_CLOSED, `room '${this.id}' was left; join again`);
  }

  private updateStatus(): void {
    const next = computeStatus({
      closed: this.closed,
      members: this.members.size,
      signaling: this.signaling.status,
      // An open link whose peer is not a member yet (HELLO, membership sync)
      // is still 'connecting' from the user's point of view.
      linksConnecting: this.linkManager.list().length,
      everReachedServer: this.everReachedServer,
    });
    if (next === this.currentStatus) return;
    this.currentStatus = next;
    this.events.emit('status', next);
  }

  private onEngineOutput(output: AppOutput): void {
    switch (output.type) {
      case 'send':
        this.traffic.record('out', output.to, output.bytes.byteLength);
        this.linkManager.send(output.to, output.bytes);
        return;
      case 'connect':
        this.linkManager.open(output.peer);
        this.updateStatus();
        return;
      case 'disconnect':
        this.linkManager.close(output.peer);
        return;
      case 'peer-join':
        this.joins.join(output.peer, output.presence);
        return;
      case 'peer-leave': {
        if (this.joins.leave(output.peer)) return;
        const info = this.members.get(output.peer);
        if (!info) return;
        this.members.delete(output.peer);
        this.events.emit('peer-leave', info, output.reason);
        this.channels.peerLeft(output.peer);
        this.updateStatus();
        return;
      }
      case 'presence': {
        if (this.joins.presence(output.peer, output.presence)) return;
        const previous = this.members.get(output.peer);
        const info: PeerInfo = { id: output.peer, presence: appPresence(output.presence) };
        this.members.set(output.peer, info);
        // Awareness-only changes reach room.awareness, not the app's 'presence' listeners.
        if (!previous || !equalityDeep(previous.presence, info.presence)) this.events.emit('presence', info);
        this.channels.peerPresence(output.peer, output.presence);
        return;
      }
      case 'malformed':
        this.events.emit('malformed', { from: output.from, code: output.code, message: output.message });
        return;
      case 'routed':
        if (output.payload[0] === MESH_SIGNAL_CHANNEL) {
          try {
            this.linkManager.onSignal(output.from, decodeMeshSignal(output.payload));
          } catch (error) {
            this.events.emit('malformed', { from: output.from, code: ErrorCode.BAD_WIRE, message: (error as Error).message });
          }
        } else {
          this.channels.receive(output.from, output.payload, true);
        }
        return;
      case 'deliver':
        this.channels.receive(output.from, output.payload, false);
        return;
    }
  }
}

export function joinRoom(roomId: string, options: JoinOptions): Room {
  return new Room(roomId, options);
}
