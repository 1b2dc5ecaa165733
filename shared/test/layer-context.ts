/**
 * A Context for testing one engine layer alone: a fake room view the test
 * sets, and readers for what the layer sent, armed and raised.
 */
import type { PeerId } from '../src/engine/types.js';
import { resolveConfig, type GossipOverrides } from '../src/gossip/config.js';
import { Context } from '../src/gossip/context.js';
import { decodeFrame, type Frame, type MemberStatus } from '../src/gossip/wire/frames.js';
import { DEFAULT_WIRE_LIMITS } from '../src/gossip/wire/limits.js';
import { createPrng } from '../src/prng.js';
import { simTrust } from '../src/sim/sim-trust.js';

export interface FakeView {
  neighbors: Set<PeerId>;
  statuses: Map<PeerId, MemberStatus>;
  selfIncarnation: number;
  dialing: Set<PeerId>;
  /** The tree root the overlay sees; '' (no one) unless a test sets it, which keeps split healing out of other tests. */
  treeRoot: PeerId;
  /** What neighborsOf answers (empty: unknown). */
  lists: Map<PeerId, Set<PeerId>>;
}

export function layerContext(selfId = 'me', tuning: GossipOverrides = {}, seed = 1): { ctx: Context; view: FakeView } {
  const ctx = new Context(resolveConfig({ selfId, rng: createPrng(seed), trust: simTrust(selfId), ...tuning }));
  const view: FakeView = { neighbors: new Set(), statuses: new Map(), selfIncarnation: 0, dialing: new Set(), treeRoot: '', lists: new Map() };
  ctx.view = {
    neighbors: view.neighbors,
    statusOf: (peer) => view.statuses.get(peer),
    get liveCount() {
      return [...view.statuses.values()].filter((s) => s === 'alive' || s === 'suspect').length;
    },
    livePeers: () => [...view.statuses].filter(([, s]) => s === 'alive' || s === 'suspect').map(([peer]) => peer),
    get selfIncarnation() {
      return view.selfIncarnation;
    },
    dialing: (peer) => view.dialing.has(peer),
    vouches: () => false,
    linkedElsewhere: () => false,
    get treeRoot() {
      return view.treeRoot;
    },
    neighborsOf: (peer) => view.lists.get(peer),
  };
  return { ctx, view };
}

/** The frames sent since the last call, decoded, and forgets them (with everything else output). */
export function takeSent(ctx: Context): Array<{ to: PeerId; frame: Frame }> {
  const sent = ctx.out.flatMap((o) => (o.type === 'send' ? [{ to: o.to, frame: decodeFrame(o.bytes, DEFAULT_WIRE_LIMITS) }] : []));
  ctx.out = [];
  return sent;
}

export function takeEvents(ctx: Context): typeof ctx.events {
  return ctx.events.splice(0);
}
