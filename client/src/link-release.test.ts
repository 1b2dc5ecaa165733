/**
 * Every RTCPeerConnection the link manager makes is closed exactly once,
 * with its data channel closed first, however its handshake ends: opened
 * then closed, timed out, answered 'busy', lost to glare, replaced by a new
 * handshake, closed by the far side, or dropped with closeAll(). Over real
 * WebRTC (@roamhq/wrtc), where an unclosed connection keeps its sockets:
 * a 60-peer swarm once ran out of file descriptors.
 */
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../shared/src/signaling.js';
import { until } from '../test/node-room-harness.js';
import { createIdentity, type Identity } from './identity.js';
import { LinkAuth } from './link-auth.js';
import { LinkManager } from './link-manager.js';

const RTC = { iceServers: [] };

interface Made {
  closes: number;
  /** The initiator's channel (the one this side created), and its state when close() was called. */
  channel: RTCDataChannel | null;
  channelAtClose: string | null;
}

/** @roamhq/wrtc with its RTCPeerConnection counted: made, closed (how often), channel state at close. */
function countingWrtc() {
  const made: Made[] = [];
  const Base = (wrtc as unknown as { RTCPeerConnection: typeof RTCPeerConnection }).RTCPeerConnection;
  class Counted extends Base {
    readonly record: Made = { closes: 0, channel: null, channelAtClose: null };
    constructor(config?: RTCConfiguration) {
      super(config);
      made.push(this.record);
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      this.record.channel = channel;
      return channel;
    }
    override close(): void {
      this.record.closes += 1;
      this.record.channelAtClose = this.record.channel?.readyState ?? null;
      super.close();
    }
  }
  return { made, wrtc: { ...(wrtc as object), RTCPeerConnection: Counted } };
}

/** Signals between managers, a turn later. */
class Bus {
  readonly managers = new Map<string, LinkManager>();

  send(from: string, to: string, data: JsonValue): boolean {
    setTimeout(() => this.managers.get(to)?.onSignal(from, data), 0);
    return true;
  }
}

const live: LinkManager[] = [];
afterEach(() => {
  for (const links of live.splice(0)) links.closeAll();
});

let sessions = 0;

function manager(bus: Bus, counted: ReturnType<typeof countingWrtc>, identity: Identity, options: { maxPendingInbound?: number; handshakeTimeoutMs?: number } = {}) {
  const selfId = identity.id;
  const links = new LinkManager({
    selfId,
    sendSignal: (to, data) => bus.send(selfId, to, data),
    rtcConfig: RTC,
    wrtc: counted.wrtc,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
    maxQueuedBytes: 1 << 20,
    maxFrameBytes: 1 << 20,
    maxLinks: 8,
    auth: new LinkAuth({ room: 'room', selfId, identity }),
    maxPendingInbound: options.maxPendingInbound ?? 4,
    authRetryMs: 30_000,
    newSessionId: () => `s${++sessions}`,
    now: () => performance.now(),
  });
  live.push(links);
  bus.managers.set(selfId, links);
  const ups: string[] = [];
  links.on('up', (peer) => ups.push(peer));
  return { id: selfId, links, ups };
}

const isOpen = (links: LinkManager, peer: string) => links.list().some((l) => l.peer === peer && l.state === 'open');

/** Once every manager is done with them, every connection made is closed, once, channel first. */
async function allReleased(made: readonly Made[]): Promise<void> {
  await until(() => made.every((m) => m.closes > 0), `all ${made.length} connections closed`);
  // A second close would show here (close() is synchronous; give stragglers a few turns).
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(made.map((m) => m.closes)).toEqual(made.map(() => 1));
  for (const m of made) if (m.channel) expect(['closing', 'closed']).toContain(m.channelAtClose);
}

describe('every RTCPeerConnection is closed exactly once', () => {
  it('a link opened and closed by one side: both ends release theirs', async () => {
    const counted = countingWrtc();
    const bus = new Bus();
    const ann = manager(bus, counted, createIdentity());
    const bob = manager(bus, counted, createIdentity());
    ann.links.open(bob.id);
    await until(() => isOpen(ann.links, bob.id) && isOpen(bob.links, ann.id), 'both ends up');
    expect(counted.made).toHaveLength(2);
    ann.links.close(bob.id);
    // Bob hears of it from the channel closing, not from a signal.
    await until(() => bob.links.list().length === 0, 'bob drops the link');
    await allReleased(counted.made);
  });

  it('a handshake that times out, and one answered busy, release theirs', async () => {
    const counted = countingWrtc();
    const bus = new Bus();
    const ann = manager(bus, counted, createIdentity(), { handshakeTimeoutMs: 300 });
    const gone = createIdentity().id;
    ann.links.open(gone); // nobody there: times out
    const busy = manager(bus, counted, createIdentity(), { maxPendingInbound: 0 });
    ann.links.open(busy.id); // answered busy
    await until(() => ann.links.list().length === 0, 'both handshakes given up');
    expect(counted.made).toHaveLength(2);
    await allReleased(counted.made);
  });

  it('glare leaves one link, and the losing handshake is released', async () => {
    const counted = countingWrtc();
    const bus = new Bus();
    const ann = manager(bus, counted, createIdentity());
    const bob = manager(bus, counted, createIdentity());
    ann.links.open(bob.id);
    bob.links.open(ann.id);
    await until(() => isOpen(ann.links, bob.id) && isOpen(bob.links, ann.id), 'both ends up');
    expect(ann.links.list()).toHaveLength(1);
    expect(bob.links.list()).toHaveLength(1);
    // Three made (both offered, the winner's offer answered); the loser's offer closed while the link is up.
    expect(counted.made).toHaveLength(3);
    await until(() => counted.made.filter((m) => m.closes === 0).length === 2, 'the losing handshake closed');
    ann.links.closeAll();
    bob.links.closeAll();
    await allReleased(counted.made);
  });

  it('a new handshake replacing an open link releases the old connection', async () => {
    const counted = countingWrtc();
    const bus = new Bus();
    const ann = manager(bus, counted, createIdentity());
    const vicIdentity = createIdentity();
    const vic = manager(bus, counted, vicIdentity);
    ann.links.open(vic.id);
    await until(() => isOpen(ann.links, vic.id) && isOpen(vic.links, ann.id), 'ann and vic linked');
    // Vic comes back under the same identity (a reloaded tab) while Ann, and the old Vic, still hold the old link.
    const again = manager(bus, counted, vicIdentity);
    again.links.open(ann.id);
    await until(() => again.ups.includes(ann.id) && isOpen(ann.links, vic.id) && ann.ups.length === 2, 'the new link up at both ends');
    expect(ann.links.list()).toHaveLength(1);
    expect(counted.made).toHaveLength(4);
    // Ann closes the old link's connection; the old Vic hears its channel close and closes its own.
    await until(() => counted.made.filter((m) => m.closes === 0).length === 2 && vic.links.list().length === 0, 'only the new link holds connections');
    ann.links.closeAll();
    again.links.closeAll();
    await allReleased(counted.made);
  });
});
