/**
 * The router's frame half: which layer each decoded frame (other than the
 * overlay's own) goes to, and the broadcast policy on receipt.
 */
import type { PeerId } from '../engine/types.js';
import { isFlooded } from './broadcast.js';
import type { Layers } from './layers.js';
import { gossipPart, type SignedPart } from './signed-parts.js';
import { signedBy } from './trust.js';
import { ErrorCode } from '../errors.js';
import type { Frame } from './wire/frames.js';

/** A decoded frame from neighbour `from` that is not the overlay's. */
export function routeFrame(l: Layers, from: PeerId, frame: Frame): void {
  switch (frame.type) {
    case 'ping':
      if (frame.tree) l.tree.onAdvert(from, frame.tree);
      l.ctx.send(from, { type: 'ack', seq: frame.seq, tree: l.tree.current() });
      l.detector.exchanged(from, true);
      if (frame.suspected) l.liveness.suspectedByPing(from);
      if (frame.digest.length > 0) {
        l.antiEntropy.onDigest(from, frame.digest);
        l.liveness.synced();
      }
      return;
    case 'ack':
      if (frame.tree) l.tree.onAdvert(from, frame.tree);
      return l.detector.onAck(from, frame.seq);
    case 'gossip':
      return onGossip(l, from, frame);
    case 'ihave':
      if (from === l.tree.parent) l.tree.refresh(from);
      return l.broadcast.onIhave(from, frame.entries);
    case 'graft':
      return l.broadcast.onGraft(from, frame.entries);
    case 'got':
      return l.broadcast.onGot(from, frame.entries);
    case 'tree':
      return l.tree.onAdvert(from, frame, frame.neighbors);
    case 'digest':
      l.antiEntropy.onDigest(from, frame.hashes);
      return l.liveness.synced();
    case 'records': {
      const revived: PeerId[] = [];
      for (const record of frame.records) if (l.liveness.mergeRecord(record, from)) revived.push(record.peer);
      if (revived.length > 0) l.antiEntropy.pushRevived(from, revived);
      l.liveness.synced();
      if (frame.wantBack) l.antiEntropy.answer(from, frame.bucketCount, frame.buckets, frame.records);
      return;
    }
    case 'route':
      return l.routing.onRoute(from, frame.origin, frame.to, frame.ttl, frame.content);
    default:
      return; // a reserved (retired) frame number: skipped
  }
}

/** The signature a body carries (DATA, PRESENCE, LEFT), if it must be checked: a duplicate id is dropped by its id, unverified. */
function unverified(l: Layers, frame: Extract<Frame, { type: 'gossip' }>): SignedPart | undefined {
  return l.broadcast.has(frame.origin, frame.seq) ? undefined : gossipPart(frame.origin, frame.seq, frame.body);
}

function onGossip(l: Layers, from: PeerId, frame: Extract<Frame, { type: 'gossip' }>): void {
  // Checked before the id is marked seen, so a forgery that comes first cannot shadow the genuine copy;
  // and only once per id (a duplicate is dropped by its id below, unverified).
  const part = unverified(l, frame);
  if (part && !signedBy(l.ctx.config.trust, frame.origin, part.message, part.key, part.signature)) {
    l.ctx.stats.badSignatures += 1;
    l.ctx.emit({ type: 'malformed', from, code: ErrorCode.BAD_SIGNATURE, message: `${part.what} from ${from}: not signed by ${frame.origin}'s key` });
    return;
  }
  const flooded = isFlooded(frame.bodyBytes);
  // An unrequested push off the tree (not a flooded verdict, not an answer to our GRAFT): the sender thinks we are its child.
  if (!flooded && !l.tree.treeLinks().has(from) && l.overlay.active.has(from) && !l.broadcast.isMissing(frame.origin, frame.seq)) {
    l.tree.refresh(from);
  }
  if (!l.broadcast.receive(from, frame.origin, frame.seq, frame.round, frame.bodyBytes)) {
    l.routing.learn(frame.origin, from, false);
    return;
  }
  l.routing.learn(frame.origin, from);
  // A flooded verdict goes out before it is applied: it must reach the accused neighbour (to
  // refute) before the link to it is dropped. Anything else is passed on only if it was news.
  if (flooded) l.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
  const news = l.liveness.applyGossip(frame.origin, frame.body);
  if (!flooded && news) l.broadcast.relay(from, frame.origin, frame.seq, frame.round, frame.bodyBytes);
  else if (!news) l.ctx.stats.staleNotRelayed += 1;
}
