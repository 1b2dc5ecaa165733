/**
 * Builds the pieces a room session owns from the resolved options: the
 * gossip engine, the signaling client, the link manager and the debug hooks. Only
 * construction (and the driver's clock and randomness) lives here; the
 * session wires their events together.
 */
import type { PeerId } from '../../shared/src/engine/types.js';
import { GOSSIP_DEFAULTS } from '../../shared/src/gossip/config.js';
import { GossipEngine } from '../../shared/src/gossip/gossip-engine.js';
import { ed25519Trust } from '../../shared/src/gossip/trust.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { Prng } from '../../shared/src/prng.js';
import type { AheadHook, EngineDriver } from './engine-driver.js';
import { secretKeyOf } from './identity.js';
import { SignAhead } from './sign-ahead.js';
import { VerifyAhead } from './verify-ahead.js';
import { LinkManager, type LinkAuthenticator } from './link-manager.js';
import { encodeMeshSignal } from './mesh-signal.js';
import { MAX_PRESENCE_BYTES, type ResolvedOptions } from './options.js';
import { sealedPresenceBytes } from './payload-seal.js';
import type { RoomDebug } from './room-types.js';
import { SignalingClient, type WebSocketConstructor } from './signaling-client.js';
import type { SignalSeal } from './signal-seal.js';
import { fromBase64Url, type JsonValue } from '../../shared/src/signaling.js';

/** A neighbour that lets this much pile up unsent is stalled: drop the link. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** Largest frame accepted from a neighbour after reassembly (Yjs snapshots can be big). */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;
/**
 * Inbound handshakes not yet authenticated, at once, outside the link
 * slots: a join burst that fills a whole active view (maxLinks ≤ 8) fits;
 * offers that never finish (made-up ids) hold at most this many
 * RTCPeerConnections, each for at most handshakeTimeoutMs.
 */
const MAX_PENDING_INBOUND = 8;
/** A peer whose link failed to authenticate is not dialled (nor answered) again for this long. */
const AUTH_RETRY_MS = 30_000;

export const monotonicNow = (): number => globalThis.performance.now();

export function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function randomSeed(): number {
  const buf = new Uint32Array(1);
  globalThis.crypto.getRandomValues(buf);
  return buf[0] as number;
}

/** options.WebSocket, else the platform's; checked before anything starts. */
export function webSocketFor(options: ResolvedOptions): WebSocketConstructor {
  const WebSocketImpl = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
  if (!WebSocketImpl) {
    throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'no global WebSocket here: pass options.WebSocket (e.g. the ws package)');
  }
  return WebSocketImpl;
}

/**
 * The engine, and the driver's hook that checks a frame's signatures with
 * WebCrypto before the engine asks for them (verify-ahead.ts).
 */
export function createEngine(selfId: PeerId, rng: Prng, options: ResolvedOptions): { engine: GossipEngine; ahead: AheadHook } {
  const publicKey = fromBase64Url(options.identity.publicKey) ?? new Uint8Array(0);
  const verifying = new VerifyAhead();
  const signing = new SignAhead(secretKeyOf(options.identity), publicKey);
  const engine = new GossipEngine({
    selfId,
    rng,
    // Signs what this tab originates; checks that what others sent is signed by their ids' keys.
    trust: signing.trust(verifying.trust(ed25519Trust(publicKey, options.identity.sign))),
    overlay: { maxLinks: options.maxLinks, targetLinks: Math.min(GOSSIP_DEFAULTS.overlay.targetLinks, options.maxLinks) },
    presence: { throttleMs: options.presenceThrottleMs },
    // The link layer cuts frames into 16 KiB pieces, so app payloads (Yjs
    // snapshots) may be far bigger than one data-channel message.
    // The app's presence is checked against MAX_PRESENCE_BYTES; with a password the engine carries it sealed, bigger.
    limits: { maxPayloadBytes: MAX_FRAME_BYTES / 2, maxPresenceBytes: options.password === undefined ? MAX_PRESENCE_BYTES : sealedPresenceBytes(MAX_PRESENCE_BYTES) },
    // A reloaded tab that reuses its peer id must outrank verdicts about
    // its previous life: start from wall-clock seconds.
    initialIncarnation: Math.floor(Date.now() / 1000),
  });
  const ahead: AheadHook = (input) => {
    if (input.type === 'receive') return verifying.prepare(engine.signedParts(input.bytes));
    if (input.type === 'set-presence') return signing.prepare(engine.presenceToSign(input.presence));
    return undefined;
  };
  return { engine, ahead };
}

export function createSignaling(room: string, selfId: PeerId, rng: Prng, options: ResolvedOptions, WebSocketImpl: WebSocketConstructor): SignalingClient {
  return new SignalingClient({
    urls: options.signaling,
    room,
    peer: selfId,
    identity: options.identity,
    WebSocket: WebSocketImpl,
    random: () => rng.next(),
  });
}

/** The two signal paths a link negotiates over. */
export interface SignalPaths {
  signaling: SignalingClient;
  driver: EngineDriver;
  /** Whether the engine has a neighbour that may carry a signal over the mesh. */
  hasNeighbours: () => boolean;
  /** With a room password: seals each envelope (async, in order per peer) before either path sees it. */
  seal: SignalSeal | undefined;
}

export function createLinks(room: string, selfId: PeerId, rng: Prng, options: ResolvedOptions, now: () => number, paths: SignalPaths, auth: LinkAuthenticator): LinkManager {
  return new LinkManager({
    selfId,
    // Through the server when it lists the target; over the mesh too whenever
    // it does not (down, or the target was never named to us by it): every
    // signal also routed through the mesh floods wherever no route is known,
    // which in a join burst was most of the room's traffic (the simulator's
    // meshSignals: 'fallback'). The far side drops a duplicate.
    sendSignal: (to, data) => {
      const both = (target: string, envelope: JsonValue): boolean => {
        const viaServer = paths.signaling.signal(target, envelope);
        if (!viaServer || !paths.signaling.lists(target)) {
          paths.driver.input({ type: 'route', to: target, payload: encodeMeshSignal(envelope, options.identity, { room, from: selfId, to: target }) });
        }
        return viaServer;
      };
      // Sealed, the envelope leaves after its crypto: whether a path is up is judged now.
      if (paths.seal) paths.seal.seal(to, data, (target, sealed) => both(target, sealed as unknown as JsonValue));
      const viaServer = paths.seal ? paths.signaling.status === 'open' : both(to, data);
      // With a neighbour the mesh may carry it (routed, or flooded as a last resort).
      return viaServer || paths.hasNeighbours();
    },
    rtcConfig: options.rtcConfig,
    wrtc: options.wrtc,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    maxQueuedBytes: MAX_QUEUED_BYTES,
    maxFrameBytes: MAX_FRAME_BYTES,
    maxLinks: options.maxLinks,
    auth,
    maxPendingInbound: MAX_PENDING_INBOUND,
    authRetryMs: AUTH_RETRY_MS,
    newSessionId: () => rng.hex(8),
    now,
  });
}

/** `room.debug`: fault injection and views for tests and the inspector. */
export function debugHooks(links: LinkManager, signaling: SignalingClient, engine: GossipEngine): RoomDebug {
  return {
    links: () => links.list(),
    dropLinks: () => {
      for (const link of links.list()) links.close(link.peer);
    },
    stopSignaling: () => signaling.suspend(),
    resumeSignaling: () => signaling.start(),
    signalingStatus: () => signaling.status,
    snapshot: () => engine.snapshot(),
  };
}
