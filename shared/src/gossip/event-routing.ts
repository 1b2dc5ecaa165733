/**
 * The router's event half: what each layer's events mean for the others
 * (iroh-gossip's topic.rs feeding HyParView's NeighborUp/Down into Plumtree).
 */
import { isLive, presenceOf } from './membership.js';
import type { LayerEvent } from './events.js';
import { publish, type Layers } from './layers.js';
import { encodeGossipBody } from './wire/gossip-body.js';

/** Feeds what one layer raised into the layers it concerns, at once (see events.ts). */
export function routeEvent(l: Layers, event: LayerEvent): void {
  switch (event.type) {
    case 'neighbor-up':
      l.ctx.emit({ type: 'neighbor-up', peer: event.peer });
      l.broadcast.neighborUp(event.peer);
      l.tree.neighborUp();
      if (event.first && !l.liveness.announced) {
        l.liveness.announce();
        if (l.membership.self.presenceVersion > 0) l.presence.flush();
      }
      // Sync at once when we are joining (we know nobody yet) or the link bridges a healed partition
      // (we hold the peer dead); otherwise the periodic exchange suffices, and a full-state transfer
      // on each of a newcomer's ~8 links would cost 8x the membership per join.
      if (l.config.roomMembership && (event.first || !isLive(l.membership.statusOf(event.peer)))) {
        l.antiEntropy.sendDigest(event.peer);
      }
      return;
    case 'neighbor-down': {
      const lastHeard = l.detector.heardAt(event.peer);
      l.ctx.emit({ type: 'neighbor-down', peer: event.peer });
      l.broadcast.neighborDown(event.peer);
      l.tree.neighborDown(event.peer);
      l.detector.forgetNeighbor(event.peer);
      // A link that fails without a goodbye may be the first sign of a crashed tab.
      if (!event.graceful) {
        l.ctx.stats.linkFailures += 1;
        l.detector.verify(event.peer, lastHeard);
      }
      return;
    }
    case 'heard-alive':
      return l.liveness.heardAlive(event.peer, event.incarnation);
    case 'ping': {
      const { target, seq } = event;
      const suspected = l.membership.statusOf(target) === 'suspect';
      const digest = event.first ? l.antiEntropy.takeDigest() : [];
      return l.ctx.send(target, { type: 'ping', seq, suspected, digest, tree: l.tree.current() });
    }
    case 'relay-ping':
      return l.routing.sendVia(event.helper, l.ctx.self, event.target, { kind: 'ping', seq: event.seq });
    case 'probe-failed':
      return l.liveness.accuse(event.peer);
    case 'verify-failed':
      return l.liveness.redial(event.peer);
    case 'suspicion-expired':
      return l.liveness.declareDead(event.peer, event.incarnation);
    case 'tree-changed':
      return l.broadcast.setTreeLinks(l.tree.treeLinks(), l.overlay.active);
    case 'relayed-ack':
      return l.detector.onAck(event.peer, event.seq);
    case 'publish':
      return publish(l, event.body, event.pushAll);
    case 'suspect':
      return l.detector.suspect(event.peer, event.incarnation, event.accuser, event.notBefore, event.patient);
    case 'clear-suspicion':
      return l.detector.clearSuspicion(event.peer);
    case 'member-gone':
      l.overlay.forget(event.peer);
      if (event.peer === l.tree.root) l.tree.update();
      l.detector.forgetNeighbor(event.peer);
      return l.routing.forget(event.peer);
    case 'refuted':
      return l.detector.noteRefutation();
    case 'dial':
      return l.overlay.dial(event.peer, event.intent);
    case 'verify':
      return l.detector.verify(event.peer, undefined);
    case 'presence-due': {
      if (!l.liveness.announced) return; // the first neighbour triggers the announcement
      l.broadcast.publish(encodeGossipBody({ kind: 'presence', ...presenceOf(l.membership.self) }));
      return;
    }
  }
}
