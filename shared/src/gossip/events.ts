/**
 * What each layer tells the router. Layers never call one another: a layer
 * raises one of these on its context and the router (gossip-engine.ts)
 * feeds it into the layers it concerns, as iroh-gossip's topic.rs feeds
 * HyParView's NeighborUp/Down into Plumtree. Events are routed at once, in
 * the order raised, so the engine's outputs keep the order the simulator's
 * seeded figures depend on.
 */
import type { PeerId } from '../engine/types.js';
import type { HelloIntent } from './wire/frames.js';
import type { GossipBody } from './wire/gossip-body.js';

export type OverlayEvent =
  /** A link joined the active view; `first` when the view was empty before. */
  | { type: 'neighbor-up'; peer: PeerId; first: boolean }
  /** A neighbour left the active view; `graceful` when it said DISCONNECT/REFUSE or we dropped it ourselves. */
  | { type: 'neighbor-down'; peer: PeerId; graceful: boolean }
  /** Evidence from the peer itself (HELLO, WELCOME) that it is alive at `incarnation`. */
  | { type: 'heard-alive'; peer: PeerId; incarnation: number };

export type DetectorEvent =
  /** Ping `target` now; `first` on a probe's first try (which carries the anti-entropy digest). */
  | { type: 'ping'; target: PeerId; seq: number; first: boolean }
  /** Ask `helper` to relay a ping to `target` over the mesh. */
  | { type: 'relay-ping'; helper: PeerId; target: PeerId; seq: number }
  /** Our probe of `peer` failed: accuse it. */
  | { type: 'probe-failed'; peer: PeerId }
  /** Relayed pings could not reach a former neighbour whose link died without a goodbye. */
  | { type: 'verify-failed'; peer: PeerId }
  /** A suspicion ran out. */
  | { type: 'suspicion-expired'; peer: PeerId; incarnation: number };

export type TreeEvent =
  /** Our tree links (parent, children) changed. */
  { type: 'tree-changed' };

/** Publish a broadcast of ours (a verdict, a refutation, an announcement, a routed payload with no route). */
/** `pushAll`: push it on every link of ours, not only the tree ones (a refutation: see broadcast.ts). */
export type PublishEvent = { type: 'publish'; body: GossipBody; pushAll?: boolean };

export type RoutingEvent =
  /** A relayed ack of one of our pings came back over the mesh. */
  | { type: 'relayed-ack'; peer: PeerId; seq: number }
  | PublishEvent;

export type LivenessEvent =
  | PublishEvent
  /** Start or confirm a suspicion timer; `notBefore` defers its end; `patient` (FailureDetector.suspect) gives it its full length. */
  | { type: 'suspect'; peer: PeerId; incarnation: number; accuser: PeerId; notBefore: number; patient?: boolean }
  | { type: 'clear-suspicion'; peer: PeerId }
  /** A member is dead or gone: no link, route, probe or tree role for it. */
  | { type: 'member-gone'; peer: PeerId }
  /** We bumped our incarnation to refute a suspicion of ourselves. */
  | { type: 'refuted' }
  /** Ask the overlay for a link to `peer`. */
  | { type: 'dial'; peer: PeerId; intent: HelloIntent }
  /** A failed dial to a live member: check it like a neighbour lost without a goodbye. */
  | { type: 'verify'; peer: PeerId };

export type PresenceEvent =
  /** Our presence is due to go out (the throttle let it through). */
  { type: 'presence-due' };

export type LayerEvent = OverlayEvent | DetectorEvent | TreeEvent | RoutingEvent | LivenessEvent | PresenceEvent;
