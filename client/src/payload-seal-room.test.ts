/**
 * End-to-end payload encryption at the room level, over real WebRTC in Node:
 * every byte any room in this process writes to a data channel is captured
 * (RTCDataChannel.prototype.send), and in a room with a password none of it
 * holds a doc edit, a message, a direct message, a presence or an awareness
 * state in the clear, while the members, one of them reached only through a
 * relaying tab, still converge. The same run without a password finds every
 * one of those strings on the wire, so the capture sees what the engine sends.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { until, useNodeRoomHarness } from '../test/node-room-harness.js';
import type { RoomMessage } from './app-message.js';
import type { Room } from './typed-room.js';

const harness = useNodeRoomHarness();

interface Wire {
  /** Everything sent on any data channel since the capture began, in order. */
  bytes(): Buffer;
  restore(): void;
}

function captureDataChannels(): Wire {
  const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as { RTCDataChannel: { prototype: { send(data: unknown): void } } };
  const proto = wrtc.RTCDataChannel.prototype;
  const original = proto.send;
  const chunks: Buffer[] = [];
  proto.send = function send(this: unknown, data: unknown) {
    if (ArrayBuffer.isView(data)) chunks.push(Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
    else if (data instanceof ArrayBuffer) chunks.push(Buffer.from(data.slice(0)));
    else chunks.push(Buffer.from(String(data)));
    return original.call(this, data);
  };
  return {
    bytes: () => Buffer.concat(chunks),
    restore: () => {
      proto.send = original;
    },
  };
}

let wire: Wire | undefined;
afterEach(() => {
  wire?.restore();
  wire = undefined;
});

/** Strings that must never cross a data channel of a room with a password. */
const MARK = {
  doc: 'DOC-EDIT-the-plan-is-at-dawn',
  message: 'BROADCAST-meet-at-the-old-mill',
  direct: 'DIRECT-only-for-carol',
  presence: 'PRESENCE-typing-in-cell-B7',
  name: 'NAME-annabel',
  awareness: 'AWARENESS-cursor-at-line-42',
} as const;

/**
 * Bob first, then ann and carol with one link each: both link to bob, who
 * relays everything between them. Ann edits, broadcasts, messages carol
 * directly and updates her presence and awareness; carol must see it all.
 */
async function run(password: string | undefined): Promise<{ ann: Room; bob: Room; carol: Room; carolGot: RoomMessage[] }> {
  const extra = password === undefined ? {} : { password };
  const bob = harness.join('e2e-seal', { ...extra, presence: { name: 'bob' } });
  await until(() => bob.status === 'alone', 'bob alone');
  const ann = harness.join('e2e-seal', { ...extra, maxLinks: 1, presence: { name: MARK.name } });
  await until(() => ann.peers.has(bob.selfId) && bob.peers.has(ann.selfId), 'ann and bob linked', 20_000);
  const carol = harness.join('e2e-seal', { ...extra, maxLinks: 1, presence: { name: 'carol' } });
  const all = [ann, bob, carol];
  await until(() => all.every((room) => room.peers.size === 2), 'a room of three', 20_000);

  // Carol's join may first take ann's one slot (the overlay makes room for a joiner): wait for the line ann–bob–carol.
  const line = () => ann.debug.links().every((l) => l.peer === bob.selfId) && carol.debug.links().every((l) => l.peer === bob.selfId) && bob.debug.links().length === 2;
  await until(line, 'ann and carol linked to bob only', 20_000);

  const carolGot: RoomMessage[] = [];
  carol.on('message', (message) => carolGot.push(message));
  const got = (topic: string) => carolGot.some((m) => m.topic === topic);
  ann.doc.getText('notes').insert(0, MARK.doc);
  ann.presence.update({ status: MARK.presence });
  ann.awareness.setLocalStateField('cursor', MARK.awareness);
  // Messages are best effort (one sent while the overlay still moves may be lost): resend each until it lands.
  let tick = 0;
  await until(
    () => {
      if (tick++ % 25 === 0) {
        if (!got('chat')) ann.broadcast('chat', MARK.message);
        if (!got('dm')) ann.broadcast('dm', { text: MARK.direct }, { to: carol.selfId });
      }
      return (
        carol.doc.getText('notes').toString() === MARK.doc &&
        bob.doc.getText('notes').toString() === MARK.doc &&
        got('chat') &&
        got('dm') &&
        carol.peers.get(ann.selfId)?.presence.status === MARK.presence &&
        carol.peers.get(ann.selfId)?.presence.name === MARK.name &&
        (carol.awareness.getStates().get(ann.awareness.clientID) as { cursor?: string } | undefined)?.cursor === MARK.awareness
      );
    },
    'carol to get the edit, both messages, the presence and the awareness state',
    20_000,
  );
  // Carol's own edit converges back, through bob, to ann.
  carol.doc.getText('notes').insert(MARK.doc.length, '+carol');
  await until(() => all.every((room) => room.doc.getText('notes').toString() === `${MARK.doc}+carol`), 'the docs to converge', 20_000);
  return { ann, bob, carol, carolGot };
}

describe('end-to-end payload encryption over real WebRTC', () => {
  it('with a password the data channels carry none of the edit, messages, presence or awareness, and the room converges through a relay', async () => {
    wire = captureDataChannels();
    const { ann, bob, carol, carolGot } = await run('correct horse battery');
    // Ann and carol each have one link, to bob: everything between them was relayed.
    expect(ann.debug.links().map((l) => l.peer)).toEqual([bob.selfId]);
    expect(carol.debug.links().map((l) => l.peer)).toEqual([bob.selfId]);
    expect(carolGot.map((m) => [m.topic, m.data, m.direct])).toEqual(
      expect.arrayContaining([
        ['chat', MARK.message, false],
        ['dm', { text: MARK.direct }, true],
      ]),
    );
    const bytes = wire.bytes();
    expect(bytes.length).toBeGreaterThan(2000);
    for (const mark of Object.values(MARK)) expect(bytes.includes(mark), mark).toBe(false);
    for (const room of [ann, bob, carol]) expect(room.stats().malformed).toBe(0);
  }, 60_000);

  it('without a password the same run shows every one of them on the wire (the capture sees what the engine sends)', async () => {
    wire = captureDataChannels();
    await run(undefined);
    const bytes = wire.bytes();
    for (const mark of Object.values(MARK)) expect(bytes.includes(mark), mark).toBe(true);
  }, 60_000);
});
