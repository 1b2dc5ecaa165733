/**
 * The engine's layers, built together over one Context. Only the router
 * (gossip-engine.ts, event-routing.ts, frame-routing.ts) holds them all;
 * each layer sees only its Context.
 */
import { AntiEntropy } from './anti-entropy.js';
import { Broadcast } from './broadcast.js';
import type { GossipConfig } from './config.js';
import { Context } from './context.js';
import { FailureDetector } from './failure-detector.js';
import { Liveness } from './liveness.js';
import { Membership } from './membership.js';
import { Overlay } from './overlay.js';
import { Presence } from './presence.js';
import { Routing } from './routing.js';
import { SpanningTree } from './spanning-tree.js';
import { dataSigned } from './trust.js';
import { encodeGossipBody, type GossipBody } from './wire/gossip-body.js';

export interface Layers {
  readonly config: GossipConfig;
  readonly ctx: Context;
  readonly membership: Membership;
  readonly overlay: Overlay;
  readonly broadcast: Broadcast;
  readonly routing: Routing;
  readonly tree: SpanningTree;
  readonly detector: FailureDetector;
  readonly liveness: Liveness;
  readonly presence: Presence;
  readonly antiEntropy: AntiEntropy;
}

export function createLayers(config: GossipConfig): Layers {
  const ctx = new Context(config);
  const membership = new Membership(config.selfId, config.initialIncarnation, config.limits);
  const overlay = new Overlay(ctx);
  ctx.view = {
    neighbors: overlay.active,
    statusOf: (peer) => membership.statusOf(peer),
    get liveCount() {
      return membership.liveCount;
    },
    livePeers: () => membership.livePeers(),
    get selfIncarnation() {
      return membership.self.incarnation;
    },
    dialing: (peer) => overlay.dialing(peer),
    vouches: (peer) => detector.vouches(peer),
    linkedElsewhere: (peer) => tree.linkedElsewhere(peer) || routing.routesThrough(peer),
    get treeRoot() {
      return tree.root;
    },
    neighborsOf: (peer) => tree.neighborsOf(peer),
  };
  const detector = new FailureDetector(ctx);
  const routing = new Routing(ctx);
  const tree = new SpanningTree(ctx);
  return {
    config,
    ctx,
    membership,
    overlay,
    broadcast: new Broadcast(ctx),
    routing,
    tree,
    detector,
    liveness: new Liveness(ctx, membership),
    presence: new Presence(ctx, membership),
    antiEntropy: new AntiEntropy(ctx, membership),
  };
}

/** Publishes an app broadcast, signed over the id it is about to get (trust.ts). */
export function publishData(l: Layers, payload: Uint8Array): void {
  const { trust } = l.ctx.config;
  const signature = trust.sign(dataSigned(l.ctx.self, l.broadcast.nextSeq, payload));
  publish(l, { kind: 'data', payload, key: trust.publicKey, signature });
}

/** Publishes our own broadcast and applies it locally like any received one. */
export function publish(l: Layers, body: GossipBody, pushAll = false): void {
  l.broadcast.publish(encodeGossipBody(body), pushAll);
  l.liveness.applyGossip(l.ctx.self, body);
}
