/**
 * The link-hijack attack at the room level, over real WebRTC in Node: a
 * member (Eve) writes a ROUTE frame straight onto her link to Ann (past her
 * own honest code) whose origin is Vic and whose payload is an offer, as
 * the issue reproduced it. Ann drops it for its signature and keeps her
 * link to Vic; the old unsigned form is dropped as malformed.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { forgedRoute } from '../../shared/src/sim/adversary-frames.js';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import { createIdentity } from './identity.js';
import type { LinkManager } from './link-manager.js';
import { encodeMeshSignal } from './mesh-signal.js';
import type { Room } from './typed-room.js';

const harness = useNodeRoomHarness();
const linksOf = (room: Room) => (room as unknown as { session: { links: LinkManager } }).session.links;
const offer = { sid: 'forged', n: 0, sp: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' } };

describe('a forged mesh-signalling offer', () => {
  it("in a linked peer's name is dropped for its signature, and the link to that peer stays", async () => {
    const eveIdentity = createIdentity();
    const ann = harness.join('hijack');
    const vic = harness.join('hijack');
    const eve = harness.join('hijack', { identity: eveIdentity });
    const linked = (a: Room, b: Room) => a.debug.links().some((l) => l.peer === b.selfId && l.state === 'open');
    const rooms = [ann, vic, eve];
    await until(() => rooms.every((a) => rooms.every((b) => a === b || linked(a, b))), 'a full mesh of three, seen from every end', 20_000);
    const drops: { from: string; code: string }[] = [];
    ann.on('malformed', (info) => drops.push({ from: info.from, code: info.code }));
    const vicLink = () => ann.debug.links().find((l) => l.peer === vic.selfId);
    const openedAt = vicLink()?.openedAt;

    // Signed by Eve (the only key she holds), claiming to be Vic's.
    const signed = encodeMeshSignal(offer, eveIdentity, { room: 'hijack', from: vic.selfId, to: ann.selfId });
    expect(linksOf(eve).send(ann.selfId, forgedRoute(vic.selfId, ann.selfId, 4, { kind: 'app', payload: signed }))).toBe(true);
    // The unsigned form the reproduction used.
    const legacy = new Uint8Array([0, ...new TextEncoder().encode(JSON.stringify(offer))]);
    linksOf(eve).send(ann.selfId, forgedRoute(vic.selfId, ann.selfId, 4, { kind: 'app', payload: legacy }));
    await until(() => drops.length >= 2, 'both forgeries dropped');
    expect(drops).toEqual([
      { from: vic.selfId, code: ErrorCode.BAD_SIGNAL_SIGNATURE },
      { from: vic.selfId, code: ErrorCode.BAD_WIRE },
    ]);
    expect(ann.stats().malformed).toBeGreaterThanOrEqual(2);
    // No handshake started for the forged session, and the link to Vic is the same one.
    expect(ann.debug.links().filter((l) => l.peer === vic.selfId)).toHaveLength(1);
    expect(vicLink()).toMatchObject({ state: 'open', openedAt });
    const heard: string[] = [];
    ann.on('message', (m) => heard.push(m.topic));
    vic.broadcast('still-here', { n: 1 }, { to: ann.selfId });
    await until(() => heard.includes('still-here'), "vic's message to reach ann");
  });
});
