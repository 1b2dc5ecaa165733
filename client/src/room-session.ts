/**
 * One tab's session in one room: it owns the gossip engine and its driver,
 * the WebRTC links, the signaling connection and the app channels, and does
 * the app-level glue between them (the members list, the status, the local
 * presence). `Room` (room.ts) is only the public face over it.
 *
 * Data flows one way per path: links and signaling feed the driver; the
 * engine's outputs come back through `onEngineOutput` to links, members and
 * channels; members, links and signaling events re-derive the status.
 */
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { PeerId } from '../../shared/src/engine/types.js';
import type { GossipEngine } from '../../shared/src/gossip/gossip-engine.js';
import { ClientIdBinding } from '../../shared/src/doc/client-id.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { createPrng, type Prng } from '../../shared/src/prng.js';
import type { CheckedMessage } from './app-message.js';
import { AWARENESS_KEY } from './awareness.js';
import { AppChannels } from './channels.js';
import { EngineDriver, type AppOutput } from './engine-driver.js';
import { Emitter } from './emitter.js';
import type { LinkManager } from './link-manager.js';
import { MESH_SIGNAL_CHANNEL, decodeMeshSignal } from './mesh-signal.js';
import { checkPresence, type ResolvedOptions } from './options.js';
import { persistDoc, type DocPersistence } from './persistence.js';
import { Members } from './room-members.js';
import type { RoomDebug, RoomEvents, RoomStats } from './room-types.js';
import { LocalPresence } from './room-presence.js';
import { createEngine, createLinks, createSignaling, debugHooks, monotonicNow, randomSeed, webSocketFor } from './room-wiring.js';
import type { SignalingClient } from './signaling-client.js';
import { reportSignalingErrors } from './signaling-report.js';
import { TrafficStats } from './stats.js';
import { StatusTracker, type RoomStatus } from './status.js';
import { whenSynced } from './when-synced.js';
import { SignalSeal } from './signal-seal.js';
import { PayloadSeal } from './payload-seal.js';
import { LinkAuth } from './link-auth.js';
import { deriveRoomSecrets } from './link-auth-key.js';

export class RoomSession {
  readonly id: string;
  readonly selfId: PeerId;
  /** The shared Yjs document (options.doc, or a new one). */
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  readonly events = new Emitter<RoomEvents>();
  readonly members: Members;
  readonly debug: RoomDebug;
  readonly whenSynced: Promise<void>;
  private readonly rng: Prng;
  /** Keeps doc.clientID one that selfId owns, a new one each session (shared/src/doc/client-id.ts). */
  private readonly clientIds: ClientIdBinding;
  private readonly engine: GossipEngine;
  private readonly driver: EngineDriver;
  private readonly links: LinkManager;
  private readonly signaling: SignalingClient;
  private readonly channels: AppChannels;
  private readonly traffic = new TrafficStats();
  private readonly persistence: DocPersistence | undefined;
  private readonly local: LocalPresence;
  private peersAtJoin: number | undefined;
  private readonly statusTracker = new StatusTracker();
  /** With options.password: seals and opens every negotiation envelope (signal-seal.ts). */
  private readonly seal: SignalSeal | undefined;
  /** With options.password: seals and opens every app payload and presence, end to end (payload-seal.ts). */
  private readonly payloadSeal: PayloadSeal | undefined;
  private closed = false;
  /** Mesh-relayed signals dropped: malformed, or not signed by their origin. */
  private badSignals = 0;
  private readonly onPageHide = (): void => {
    // The page is going away and no timer will run again: close every link
    // now (the far side sees the close at once) instead of draining first.
    this.links.drainOnClose = false;
    this.leave();
  };

  /** `origin` is what remote awareness events carry as their origin (the Room, as y-webrtc passes its room). */
  constructor(id: string, options: ResolvedOptions, origin: unknown) {
    this.id = id;
    const WebSocketImpl = webSocketFor(options);
    this.selfId = options.peerId ?? options.identity.id;
    // The whole initial presence (with the awareness entry a fresh Awareness publishes, state {}) is
    // checked before anything starts: a room that throws here has no timer, socket or listener to leak.
    // The clientID is bound below: checked at the longest a bound one can be.
    this.doc = options.doc ?? new Y.Doc();
    checkPresence({ ...options.presence, [AWARENESS_KEY]: { clientID: Number.MAX_SAFE_INTEGER, state: {} } }, 'options.presence');
    this.rng = createPrng(randomSeed());
    // Before the Awareness, which takes the doc's clientID once, and before any peer sees an update.
    this.clientIds = new ClientIdBinding({ doc: this.doc, selfId: this.selfId, random: () => this.rng.next() });
    // One PBKDF2 run gives the envelope key, the link-auth MAC key and the payload key (link-auth-key.ts).
    const secrets = options.password === undefined ? undefined : deriveRoomSecrets(options.password, id);
    secrets?.catch(() => {});
    this.payloadSeal = secrets === undefined ? undefined : new PayloadSeal({ room: id, selfId: this.selfId, key: secrets.then((s) => s.payloadKey) });
    this.members = new Members({ seal: this.payloadSeal });

    const { engine, ahead } = createEngine(this.selfId, this.rng, options);
    this.engine = engine;
    this.driver = new EngineDriver(this.engine, monotonicNow, (output) => this.onEngineOutput(output), ahead);
    this.signaling = createSignaling(id, this.selfId, this.rng, options, WebSocketImpl);
    this.seal =
      options.password === undefined || secrets === undefined
        ? undefined
        : new SignalSeal({
            room: id,
            selfId: this.selfId,
            password: options.password,
            key: secrets.then((s) => s.sealKey),
            onDropped: (from, error) => this.events.emit('malformed', { from, code: error.code, message: error.message }),
          });
    const auth = new LinkAuth({ room: id, selfId: this.selfId, identity: options.identity, linkKey: secrets?.then((s) => s.linkKey) });
    this.links = createLinks(
      id,
      this.selfId,
      this.rng,
      options,
      monotonicNow,
      { signaling: this.signaling, driver: this.driver, hasNeighbours: () => this.engine.neighbors().size > 0, seal: this.seal },
      auth,
    );
    this.persistence = options.persist ? persistDoc(id, this.doc) : undefined;
    this.awareness = new Awareness(this.doc);
    this.channels = new AppChannels({
      selfId: this.selfId,
      doc: this.doc,
      awareness: this.awareness,
      origin,
      broadcast: (payload) => this.driver.input({ type: 'broadcast', payload }),
      route: (to, payload) => this.driver.input({ type: 'route', to, payload }),
      publishAwareness: (entry) => {
        if (!this.closed) this.local.setAwareness(entry);
      },
      onMessage: (message) => this.events.emit('message', message),
      onMalformed: (info) => this.events.emit('malformed', info),
      random: () => this.rng.next(),
      syncIntervalMs: options.syncIntervalMs,
      seal: this.payloadSeal,
    });
    this.local = new LocalPresence(this.driver, options.presence, this.channels.awareness.localEntry() as unknown as JsonValue, this.payloadSeal);
    this.debug = debugHooks(this.links, this.signaling, this.engine);
    this.listen();

    this.driver.input({ type: 'start' });
    this.local.announce();
    this.signaling.start();
    globalThis.addEventListener?.('pagehide', this.onPageHide);
    this.whenSynced = whenSynced(
      {
        status: () => this.statusTracker.status,
        updatesReceived: () => this.channels.docStats().updatesReceived,
        peersAtJoin: () => this.peersAtJoin,
        onStatus: (l) => this.events.on('status', l),
      },
      this.persistence?.loaded,
    );
  }

  get status(): RoomStatus {
    return this.statusTracker.status;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** This tab's own presence (`room.presence`). */
  get presence(): LocalPresence {
    return this.local;
  }

  send(message: CheckedMessage): void {
    this.channels.send(message);
  }

  stats(): RoomStats {
    const links = this.links.list();
    const doc = this.channels.docStats();
    const snapshot = this.engine.snapshot();
    return {
      ...this.traffic.totals(),
      peers: this.members.size,
      links: { open: links.filter((l) => l.state === 'open').length, connecting: links.filter((l) => l.state !== 'open').length, refused: this.links.refused },
      // Round trips come from the engine's SWIM probe acks (no extra traffic).
      perLink: this.traffic.links(snapshot.rttMs),
      duplicatesDropped: doc.duplicateUpdates + snapshot.stats.duplicates,
      // Sealed signals that did not open (room password) count here too, and as 'malformed' events.
      // So do links that failed to authenticate and mesh signals with a false origin.
      malformed: this.channels.malformed + (this.seal?.dropped ?? 0) + this.links.refused + this.badSignals,
      doc,
    };
  }

  /** Say goodbye to every neighbour and free every link, timer and socket. Idempotent. */
  leave(): void {
    if (this.closed) return;
    this.channels.stop();
    this.awareness.destroy();
    this.driver.input({ type: 'leave' });
    this.closed = true;
    this.updateStatus();
    this.driver.stop();
    this.signaling.stop();
    this.seal?.stop();
    this.payloadSeal?.stop();
    this.links.closeAll();
    this.persistence?.destroy();
    this.clientIds.destroy();
    this.members.close();
    this.events.clear();
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
  }

  private listen(): void {
    this.links.on('up', (peer) => this.driver.input({ type: 'link-up', peer }));
    this.links.on('down', (peer) => this.driver.input({ type: 'link-down', peer }));
    this.links.on('malformed', (from, message) => this.events.emit('malformed', { from, code: ErrorCode.BAD_WIRE, message }));
    this.links.on('refused', (from, error) => this.events.emit('malformed', { from, code: error.code, message: error.message }));
    this.links.on('data', (from, bytes) => {
      this.traffic.record('in', from, bytes.byteLength);
      this.driver.input({ type: 'receive', from, bytes });
    });
    this.links.on('up', () => this.updateStatus());
    this.links.on('down', (peer) => {
      this.traffic.forget(peer);
      this.updateStatus();
    });
    this.signaling.on('status', (status) => {
      this.statusTracker.signaling(status);
      // Without a server a failed dial's signals only had the mesh: the engine weighs it less.
      this.driver.input({ type: 'signaling', joined: status === 'open' });
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
    this.signaling.on('signal', (from, data) => this.onSignal(from, data));

    this.members.on('join', (info, presence) => {
      this.events.emit('peer-join', info);
      this.channels.peerJoined(info.id, presence);
      this.updateStatus();
    });
    this.members.on('leave', (info, reason) => {
      this.events.emit('peer-leave', info, reason);
      this.channels.peerLeft(info.id);
      this.updateStatus();
    });
    // A sealed presence that did not open counts with the payloads that did not (stats().malformed).
    this.members.on('malformed', (info) => this.channels.reportMalformed(info));
    this.members.on('presence', (info, presence, appChanged) => {
      // Awareness-only changes reach room.awareness, not the app's 'presence' listeners.
      if (appChanged) this.events.emit('presence', info);
      this.channels.peerPresence(info.id, presence);
    });
  }

  /** A negotiation message, by the server or the mesh. An offer starts a handshake, which moves the status. */
  private onSignal(from: PeerId, data: Parameters<LinkManager['onSignal']>[1]): void {
    if (this.seal) return this.seal.open(from, data, (sender, plain) => this.onOpenSignal(sender, plain));
    this.onOpenSignal(from, data);
  }

  private onOpenSignal(from: PeerId, data: Parameters<LinkManager['onSignal']>[1]): void {
    this.links.onSignal(from, data);
    this.updateStatus();
  }

  private updateStatus(): void {
    const links = this.links.list();
    const next = this.statusTracker.update({
      closed: this.closed,
      members: this.members.size,
      signaling: this.signaling.status,
      // An open link whose peer is not a member yet (HELLO, membership sync)
      // is still 'connecting' from the user's point of view.
      linksConnecting: links.length,
      linksOpen: links.filter((l) => l.state === 'open').length,
    });
    if (next) this.events.emit('status', next);
  }

  private onEngineOutput(output: AppOutput): void {
    switch (output.type) {
      case 'send':
        this.traffic.record('out', output.to, output.bytes.byteLength);
        this.links.send(output.to, output.bytes);
        return;
      case 'connect':
        this.links.open(output.peer);
        this.updateStatus();
        return;
      case 'disconnect':
        this.links.close(output.peer);
        return;
      case 'neighbor-up':
        this.channels.neighborUp(output.peer);
        return;
      case 'neighbor-down':
        this.channels.neighborDown(output.peer);
        return;
      case 'peer-join':
        this.members.joined(output.peer, output.presence);
        return;
      case 'peer-leave':
        this.members.left(output.peer, output.reason);
        return;
      case 'presence':
        this.members.presence(output.peer, output.presence);
        return;
      case 'malformed':
        this.events.emit('malformed', { from: output.from, code: output.code, message: output.message });
        return;
      case 'routed':
        if (output.payload[0] !== MESH_SIGNAL_CHANNEL) {
          this.channels.receive(output.from, output.payload, true);
          return;
        }
        try {
          this.onSignal(output.from, decodeMeshSignal(output.payload, { room: this.id, from: output.from, to: this.selfId }));
        } catch (error) {
          this.badSignals += 1;
          const code = error instanceof MurmurError ? error.code : ErrorCode.BAD_WIRE;
          this.events.emit('malformed', { from: output.from, code, message: (error as Error).message });
        }
        return;
      case 'deliver':
        this.channels.receive(output.from, output.payload, false);
        return;
    }
  }
}
