/**
 * The link manager binding links to identities, over real WebRTC
 * (@roamhq/wrtc). A hostile party's code is its own, so each attack is
 * staged from outside the honest code path: an operator in the middle that
 * terminates both DTLS sessions itself and bridges the channels, a peer that
 * claims an id its key does not derive, a peer with another password, a
 * forged offer in another peer's name, and offers from made-up ids that
 * never finish.
 */
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../shared/src/signaling.js';
import { until } from '../test/node-room-harness.js';
import { createIdentity, type Identity } from './identity.js';
import { LinkAuth, type LinkAuthError, type LinkAuthReason } from './link-auth.js';
import { LinkManager } from './link-manager.js';
import LitePeer, { type SignalData } from './lite-peer.js';

const RTC = { iceServers: [] };
const ROOM = 'room';

type Envelope = { sid: string; n: number; sp: SignalData } | { sid: string; busy: true };
/** Returns true when it took the signal (delivered it elsewhere or dropped it). */
type Intercept = (from: string, to: string, data: Envelope) => boolean;

class Bus {
  readonly nodes = new Map<string, TestNode>();
  intercept: Intercept | undefined;
  busyReplies = 0;

  send(from: string, to: string, data: JsonValue): boolean {
    const envelope = data as unknown as Envelope;
    if ('busy' in envelope) this.busyReplies++;
    setTimeout(() => {
      if (this.intercept?.(from, to, envelope)) return;
      this.deliver(from, to, envelope);
    }, 0);
    return true;
  }

  deliver(from: string, to: string, data: Envelope): void {
    this.nodes.get(to)?.links.onSignal(from, data as unknown as JsonValue);
  }
}

interface TestNode {
  id: string;
  links: LinkManager;
  ups: string[];
  downs: string[];
  refused: { peer: string; reason: LinkAuthReason }[];
  received: { peer: string; bytes: Uint8Array }[];
}

const managers: LinkManager[] = [];
const peers: LitePeer[] = [];
afterEach(() => {
  for (const links of managers.splice(0)) links.closeAll();
  for (const peer of peers.splice(0)) peer.destroy();
});

let sessions = 0;

function node(bus: Bus, identity: Identity, options: { selfId?: string; linkKey?: Uint8Array; maxLinks?: number; handshakeTimeoutMs?: number; register?: boolean; sessionPrefix?: string } = {}): TestNode {
  const selfId = options.selfId ?? identity.id;
  const links = new LinkManager({
    selfId,
    sendSignal: (to, data) => bus.send(selfId, to, data),
    rtcConfig: RTC,
    wrtc,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    maxQueuedBytes: 1 << 20,
    maxFrameBytes: 1 << 20,
    maxLinks: options.maxLinks ?? 8,
    auth: new LinkAuth({ room: ROOM, selfId, identity, linkKey: options.linkKey }),
    maxPendingInbound: 4,
    authRetryMs: 30_000,
    newSessionId: () => `${options.sessionPrefix ?? 's'}${++sessions}`,
    now: () => performance.now(),
  });
  managers.push(links);
  const test: TestNode = { id: selfId, links, ups: [], downs: [], refused: [], received: [] };
  links.on('up', (peer) => test.ups.push(peer));
  links.on('down', (peer) => test.downs.push(peer));
  links.on('refused', (peer, error) => test.refused.push({ peer, reason: (error as LinkAuthError).reason }));
  links.on('data', (peer, bytes) => test.received.push({ peer, bytes }));
  if (options.register !== false) bus.nodes.set(selfId, test);
  return test;
}

const openTo = (n: TestNode, peer: string) => n.links.list().some((l) => l.peer === peer && l.state === 'open');

describe('links bound to identities', () => {
  it('an honest pair authenticates and carries frames, with nothing refused', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity());
    const bob = node(bus, createIdentity());
    ann.links.open(bob.id);
    await until(() => ann.ups.includes(bob.id) && bob.ups.includes(ann.id), 'both ends up');
    ann.links.send(bob.id, Uint8Array.of(9, 8, 7));
    await until(() => bob.received.length === 1, 'the frame');
    expect(bob.received[0]).toEqual({ peer: ann.id, bytes: Uint8Array.of(9, 8, 7) });
    expect([ann.links.refused, bob.links.refused]).toEqual([0, 0]);
  });

  it('an operator that swaps the SDP and bridges the two channels is refused at both ends', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity());
    const bob = node(bus, createIdentity());
    // The operator answers Ann's offer with its own peer and offers Bob another, then relays every message.
    const toAnn = new LitePeer({ wrtc, config: RTC });
    const toBob = new LitePeer({ initiator: true, wrtc, config: RTC });
    peers.push(toAnn, toBob);
    let annSid = '';
    let toAnnN = 0;
    let toBobN = 0;
    toAnn.on('signal', (sp: SignalData) => bus.deliver(bob.id, ann.id, { sid: annSid, n: toAnnN++, sp }));
    toBob.on('signal', (sp: SignalData) => bus.deliver(ann.id, bob.id, { sid: 'mitm', n: toBobN++, sp }));
    const bridge = (from: LitePeer, to: LitePeer) => {
      const held: Uint8Array[] = [];
      let ready = false;
      to.on('connect', () => {
        ready = true;
        for (const chunk of held.splice(0)) to.send(chunk);
      });
      from.on('data', (chunk: Uint8Array) => (ready ? to.send(chunk) : held.push(chunk)));
    };
    bridge(toAnn, toBob);
    bridge(toBob, toAnn);
    bus.intercept = (from, to, data) => {
      if ('busy' in data) return true;
      if (from === ann.id && to === bob.id) {
        annSid = data.sid;
        toAnn.signal(data.sp);
        return true;
      }
      if (from === bob.id && to === ann.id) {
        toBob.signal(data.sp);
        return true;
      }
      return false;
    };
    let bridged = 0;
    toAnn.on('connect', () => bridged++);
    toBob.on('connect', () => bridged++);
    ann.links.open(bob.id);
    await until(() => ann.refused.length > 0 && bob.refused.length > 0, 'both ends to refuse the link');
    expect(bridged).toBe(2);
    expect(ann.refused).toEqual([{ peer: bob.id, reason: 'bad-signature' }]);
    expect(bob.refused).toEqual([{ peer: ann.id, reason: 'bad-signature' }]);
    expect(ann.ups).toEqual([]);
    expect(bob.ups).toEqual([]);
    // Refused, not retried: Ann will not dial Bob again for authRetryMs.
    ann.links.open(bob.id);
    expect(ann.links.list()).toEqual([]);
  });

  it('a peer that claims an id its key does not derive is refused', async () => {
    const bus = new Bus();
    const ann = createIdentity();
    const bob = node(bus, createIdentity());
    node(bus, createIdentity(), { selfId: ann.id });
    bob.links.open(ann.id);
    await until(() => bob.refused.length > 0, 'bob to refuse');
    expect(bob.refused).toEqual([{ peer: ann.id, reason: 'key-mismatch' }]);
    expect(bob.ups).toEqual([]);
    expect(bob.downs).toEqual([ann.id]);
  });

  it('a peer with another room password is refused at both ends', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity(), { linkKey: new Uint8Array(32).fill(1) });
    const eve = node(bus, createIdentity(), { linkKey: new Uint8Array(32).fill(2) });
    const plain = node(bus, createIdentity());
    ann.links.open(eve.id);
    ann.links.open(plain.id);
    await until(() => ann.refused.length === 2 && eve.refused.length === 1 && plain.refused.length === 1, 'every end to refuse');
    expect(ann.refused.map((r) => r.reason)).toEqual(['bad-password', 'bad-password']);
    expect([eve.refused[0]?.reason, plain.refused[0]?.reason]).toEqual(['bad-password', 'bad-password']);
    expect([...ann.ups, ...eve.ups, ...plain.ups]).toEqual([]);
  });

  it("a forged offer in another peer's name does not displace the open link to that peer", async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity());
    const vic = node(bus, createIdentity());
    ann.links.open(vic.id);
    await until(() => ann.ups.includes(vic.id) && vic.ups.includes(ann.id), 'ann and vic linked');
    // Eve's offer reaches Ann as from Vic; Ann's answers for Eve's session reach Eve.
    const eve = node(bus, createIdentity(), { selfId: vic.id, register: false, sessionPrefix: 'eve' });
    bus.intercept = (from, to, data) => {
      if (from === ann.id && to === vic.id && data.sid.startsWith('eve')) {
        eve.links.onSignal(ann.id, data as unknown as JsonValue);
        return true;
      }
      return false;
    };
    eve.links.open(ann.id);
    await until(() => ann.refused.length > 0, 'ann to refuse the forged link');
    expect(ann.refused).toEqual([{ peer: vic.id, reason: 'key-mismatch' }]);
    expect(ann.downs).toEqual([]);
    expect(openTo(ann, vic.id)).toBe(true);
    ann.links.send(vic.id, Uint8Array.of(1));
    await until(() => vic.received.length === 1, 'the old link still carries frames');
  });

  it('a genuine new handshake from a peer with an open link takes its place once authenticated', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity());
    const vicIdentity = createIdentity();
    const vic = node(bus, vicIdentity);
    ann.links.open(vic.id);
    await until(() => ann.ups.includes(vic.id), 'ann and vic linked');
    // Vic comes back (a reload under the same identity) while Ann still holds the old link.
    vic.links.closeAll();
    const again = node(bus, vicIdentity);
    again.links.open(ann.id);
    await until(() => again.ups.includes(ann.id) && ann.ups.length === 2, 'the new link up at both ends');
    expect(ann.downs).toEqual([vic.id]);
    expect(ann.links.list().filter((l) => l.peer === vic.id)).toHaveLength(1);
    ann.links.send(vic.id, Uint8Array.of(2));
    await until(() => again.received.length === 1, 'frames on the new link');
  });

  it('offers from made-up ids that never finish hold at most 4 handshakes and no link slot', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity(), { maxLinks: 2, handshakeTimeoutMs: 3000 });
    const bob = node(bus, createIdentity());
    const carl = node(bus, createIdentity());
    // Ten made-up dialers: real offers, and nothing more (Ann's answers go nowhere).
    for (let i = 0; i < 10; i++) {
      const junk = new LitePeer({ initiator: true, wrtc, config: RTC });
      peers.push(junk);
      const id = createIdentity().id;
      let n = 0;
      junk.on('signal', (sp: SignalData) => bus.deliver(id, ann.id, { sid: `junk${i}`, n: n++, sp }));
    }
    await until(() => bus.busyReplies >= 6, 'ann to answer the rest busy');
    const pending = () => ann.links.list().filter((l) => !l.initiator && l.state === 'connecting').length;
    expect(pending()).toBe(4);
    expect(bus.busyReplies).toBe(6);
    // Every link slot is still free: Ann dials out at her cap.
    ann.links.open(bob.id);
    ann.links.open(carl.id);
    await until(() => openTo(ann, bob.id) && openTo(ann, carl.id), "ann's two links");
    // The junk times out; then an inbound handshake fits again.
    await until(() => pending() === 0, 'the made-up handshakes to time out', 10_000);
    const dan = node(bus, createIdentity());
    dan.links.open(ann.id);
    await until(() => dan.ups.includes(ann.id), 'a newcomer to link to ann');
  });

  it('inbound handshakes that finish together never hold more than maxLinks + 1 open links', async () => {
    const bus = new Bus();
    const ann = node(bus, createIdentity(), { maxLinks: 1 });
    const dialers = [0, 1, 2].map(() => node(bus, createIdentity()));
    for (const dialer of dialers) dialer.links.open(ann.id);
    await until(() => dialers.every((d) => d.ups.includes(ann.id) || d.downs.includes(ann.id)), 'every dialer to hear back');
    await until(() => ann.links.list().every((l) => l.state === 'open'), "ann's handshakes to settle");
    expect(ann.links.list().length).toBe(2);
    expect(ann.ups).toHaveLength(2);
  });
});
