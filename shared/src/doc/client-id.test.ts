import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode, isMurmurError } from '../errors.js';
import { createPrng } from '../prng.js';
import { Channel, decodeFrame, encodeFrame } from './channel-codec.js';
import {
  CLIENT_ID_OWNER_BITS,
  CLIENT_ID_SESSION_BITS,
  ClientIdBinding,
  checkOwnUpdate,
  clientIdOwner,
  deriveClientId,
  foreignClientIds,
  freshClientId,
  ownsClientId,
} from './client-id.js';
import { DocSync, type DocSyncOutput } from './doc-sync.js';

// Ids as the client makes them (22 base64url characters of a key's hash), and a keeper's labelled one.
const ANN = 'q2bXh0v8mIuV7Bf0X3n5Ew';
const BOB = 'Zr1kE5wN0cS9pD2yT7aL4g';
const KEEPER_ANN = `keeper.${ANN}`;

function boundDoc(peer: string, seed: number): { doc: Y.Doc; binding: ClientIdBinding } {
  const doc = new Y.Doc();
  return { doc, binding: new ClientIdBinding({ doc, selfId: peer, random: createPrng(seed).next }) };
}

function sync(doc: Y.Doc, selfId: string): DocSync {
  const core = new DocSync({ doc, selfId, intervalMs: 8000, random: createPrng(5).next });
  core.handle({ type: 'start' }, 0);
  return core;
}

const broadcastFrom = (from: string, update: Uint8Array) =>
  ({ type: 'receive', from, frame: { channel: Channel.DOC_UPDATE, update } }) as const;

/** The update a doc's local edit produced. */
function edit(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  let update: Uint8Array | undefined;
  const take = (u: Uint8Array): void => {
    update = u;
  };
  doc.on('update', take);
  change(doc);
  doc.off('update', take);
  if (!update) throw new Error('no update');
  return update;
}

describe('clientIDs bound to peer ids', () => {
  it('uses all 53 bits: owner bits from the id, session bits from the driver', () => {
    expect(CLIENT_ID_OWNER_BITS + CLIENT_ID_SESSION_BITS).toBe(53);
    expect(clientIdOwner(ANN)).toBeLessThan(2 ** CLIENT_ID_OWNER_BITS);
    expect(deriveClientId(ANN, 0)).toBe(clientIdOwner(ANN) * 2 ** CLIENT_ID_SESSION_BITS);
    expect(deriveClientId(ANN, 2 ** CLIENT_ID_SESSION_BITS - 1) - deriveClientId(ANN, 0)).toBe(2 ** CLIENT_ID_SESSION_BITS - 1);
    expect(Number.isSafeInteger(deriveClientId(ANN, 2 ** CLIENT_ID_SESSION_BITS - 1))).toBe(true);
    for (const bad of [-1, 1.5, 2 ** CLIENT_ID_SESSION_BITS, Number.NaN]) expect(() => deriveClientId(ANN, bad)).toThrow(/session/);
    // A pure function of the id: the same on every receiver.
    expect(clientIdOwner(ANN)).toBe(clientIdOwner(`${ANN}`));
    expect(clientIdOwner(ANN)).not.toBe(clientIdOwner(BOB));
  });

  it('a peer owns the clientIDs of every session of its id, and no other peer does', () => {
    const first = boundDoc(ANN, 1).doc.clientID;
    const second = boundDoc(ANN, 2).doc.clientID;
    expect(first).not.toBe(second);
    for (const id of [first, second]) {
      expect(ownsClientId(ANN, id)).toBe(true);
      expect(ownsClientId(BOB, id)).toBe(false);
    }
    // One key certifies both ids (idCertifiedBy): one owner.
    expect(ownsClientId(KEEPER_ANN, first)).toBe(true);
    // Not safe integers; a uint32 as Yjs draws one has owner bits 0–255, so it is Ann's only if hers are.
    for (const bad of [-first, 2 ** 53, Number.NaN, Infinity]) expect(ownsClientId(ANN, bad)).toBe(false);
    expect(ownsClientId(ANN, 123_456_789)).toBe(clientIdOwner(ANN) === 7);
  });

  it('never draws a clientID the doc already holds (a doc loaded from an earlier session)', () => {
    const earlier = boundDoc(ANN, 1).doc;
    earlier.getMap('m').set('k', 1);
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(earlier));
    // A driver whose random repeats the earlier session's draw first.
    const draws = [createPrng(1).next(), 0.5];
    const id = freshClientId(reloaded, ANN, () => draws.shift() ?? 0.25);
    expect(id).not.toBe(earlier.clientID);
    expect(ownsClientId(ANN, id)).toBe(true);
  });

  it('Yjs encodes and decodes clientIDs up to 2^53 − 1 (V1, V2, merges, state vectors)', () => {
    const ids = [Number.MAX_SAFE_INTEGER, deriveClientId(ANN, 12_345), deriveClientId(BOB, 0), 2 ** 32 + 1];
    const docs = ids.map((id, i) => {
      const doc = new Y.Doc();
      doc.clientID = id;
      doc.getText('t').insert(0, `w${i}`);
      return doc;
    });
    const merged = Y.mergeUpdates(docs.map((doc) => Y.encodeStateAsUpdate(doc)));
    const v1 = new Y.Doc();
    Y.applyUpdate(v1, merged);
    const v2 = new Y.Doc();
    Y.applyUpdateV2(v2, Y.mergeUpdatesV2(docs.map((doc) => Y.encodeStateAsUpdateV2(doc))));
    expect(v1.getText('t').toString()).toHaveLength(8);
    expect(v2.getText('t').toString()).toBe(v1.getText('t').toString());
    expect([...Y.decodeStateVector(Y.encodeStateVector(v1)).keys()].sort()).toEqual([...ids].sort());
    expect([...Y.parseUpdateMeta(merged).from.keys()].sort()).toEqual([...ids].sort());
  });

  it('lists the foreign clientIDs of an update by its structs, not its delete set', () => {
    const ann = boundDoc(ANN, 1).doc;
    const bob = boundDoc(BOB, 2).doc;
    const insert = edit(ann, (doc) => doc.getText('t').insert(0, 'hello'));
    expect(foreignClientIds(insert, ANN)).toEqual([]);
    expect(foreignClientIds(insert, BOB)).toEqual([ann.clientID]);
    Y.applyUpdate(bob, insert);
    const deletion = edit(bob, (doc) => doc.getText('t').delete(0, 5));
    expect(foreignClientIds(deletion, BOB)).toEqual([]);
    try {
      checkOwnUpdate(insert, BOB);
      expect.unreachable();
    } catch (error) {
      expect(isMurmurError(error) && error.code).toBe(ErrorCode.FOREIGN_CLIENT_ID);
      expect((error as Error).message).toContain(BOB);
      expect((error as Error).message).toContain(String(ann.clientID));
    }
  });
});

describe('DocSync with bound clientIDs', () => {
  it('refuses a broadcast update under another peer\'s clientID: throws, counts, leaves the doc unchanged', () => {
    const victim = boundDoc(ANN, 1).doc;
    const mallory = new Y.Doc();
    mallory.clientID = victim.clientID;
    const forged = edit(mallory, (doc) => doc.getMap('m').set('forged', 'by mallory'));
    const { doc } = boundDoc('carol', 3);
    const carol = sync(doc, 'carol');
    const before = Y.encodeStateAsUpdate(doc);
    expect(() => carol.handle(broadcastFrom(BOB, forged), 1)).toThrow(expect.objectContaining({ code: ErrorCode.FOREIGN_CLIENT_ID }));
    expect(carol.stats().refusedUpdates).toBe(1);
    expect(carol.stats().updatesReceived).toBe(0);
    expect(doc.getMap('m').get('forged')).toBeUndefined();
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    // From its owner, the same update is applied.
    carol.handle(broadcastFrom(ANN, forged), 2);
    expect(doc.getMap('m').get('forged')).toBe('by mallory');
    expect(carol.stats().refusedUpdates).toBe(1);
  });

  it('accepts a delete-only broadcast update of another peer\'s structs', () => {
    const ann = boundDoc(ANN, 1).doc;
    const bob = boundDoc(BOB, 2).doc;
    const { doc } = boundDoc('carol', 3);
    const carol = sync(doc, 'carol');
    const insert = edit(ann, (d) => d.getText('t').insert(0, 'hello world'));
    carol.handle(broadcastFrom(ANN, insert), 1);
    Y.applyUpdate(bob, insert);
    const deletion = edit(bob, (d) => d.getText('t').delete(0, 6));
    carol.handle(broadcastFrom(BOB, deletion), 2);
    expect(doc.getText('t').toString()).toBe('world');
    expect(carol.stats().refusedUpdates).toBe(0);
  });

  it('broadcasts its own local updates, and announces (never broadcasts) local ones that carry others\' structs', () => {
    const ann = boundDoc(ANN, 1).doc;
    const { doc } = boundDoc(BOB, 2);
    const bob = sync(doc, BOB);
    bob.handle({ type: 'neighbor-up', peer: 'carol' }, 0);
    const own = bob.handle({ type: 'local-update', update: edit(doc, (d) => d.getMap('m').set('b', 1)) }, 1);
    expect(own.map((o) => o.type)).toEqual(['broadcast']);
    // E.g. y-indexeddb loading a stored doc: an 'update' whose origin is not the DocSync.
    const stored = edit(ann, (d) => d.getMap('m').set('a', 1));
    const loaded = bob.handle({ type: 'local-update', update: stored }, 2);
    expect(loaded.map((o) => o.type)).toEqual(['route']);
    const frame = decodeFrame((loaded[0] as Extract<DocSyncOutput, { type: 'route' }>).payload);
    expect(frame).toMatchObject({ channel: Channel.SYNC_STEP1, mode: 'announce' });
    expect(bob.stats().updatesSent).toBe(1);
  });

  it('re-derives a bound clientID after Yjs reassigns it (a remote update under the local clientID), so the next edit is accepted', () => {
    const { doc: ann, binding } = boundDoc(ANN, 1);
    const annSync = sync(ann, ANN);
    const first = ann.clientID;
    // Another copy writing under Ann's clientID, which reaches Ann by a step 2 (not checked: it carries anyone's structs).
    const twin = new Y.Doc();
    twin.clientID = first;
    const clash = edit(twin, (d) => d.getMap('m').set('twin', 1));
    annSync.handle({ type: 'receive', from: BOB, frame: { channel: Channel.SYNC_STEP2, update: clash } }, 1);
    expect(ann.clientID).not.toBe(first);
    expect(ownsClientId(ANN, ann.clientID)).toBe(true);
    expect(binding.clientId).toBe(ann.clientID);
    expect(binding.rebound).toBe(1);
    // The next edit is under the new bound clientID, and a receiver applies it.
    const next = edit(ann, (d) => d.getMap('m').set('after', 2));
    expect([...Y.parseUpdateMeta(next).from.keys()]).toEqual([ann.clientID]);
    const { doc } = boundDoc('carol', 3);
    const carol = sync(doc, 'carol');
    carol.handle(broadcastFrom(ANN, next), 2);
    carol.handle({ type: 'receive', from: ANN, frame: { channel: Channel.SYNC_STEP2, update: Y.encodeStateAsUpdate(ann) } }, 3);
    expect(doc.getMap('m').toJSON()).toEqual({ twin: 1, after: 2 });
    expect(carol.stats().refusedUpdates).toBe(0);
  });

  it('re-derives when the app sets doc.clientID itself, before its next write', () => {
    const { doc, binding } = boundDoc(ANN, 1);
    doc.clientID = 42;
    const update = edit(doc, (d) => d.getMap('m').set('k', 1));
    // The write that noticed it still went out under 42; from then on the id is bound again.
    expect([...Y.parseUpdateMeta(update).from.keys()]).toEqual([42]);
    expect(ownsClientId(ANN, doc.clientID)).toBe(true);
    expect(binding.rebound).toBe(1);
    binding.destroy();
  });

  it('round-trips a broadcast through the codec: honest docs converge', () => {
    const ann = boundDoc(ANN, 1).doc;
    const { doc } = boundDoc(BOB, 2);
    const bob = sync(doc, BOB);
    const payload = encodeFrame({ channel: Channel.DOC_UPDATE, update: edit(ann, (d) => d.getText('t').insert(0, 'hi')) });
    const frame = decodeFrame(payload);
    if (frame.channel !== Channel.DOC_UPDATE) throw new Error('not a doc update');
    bob.handle({ type: 'receive', from: ANN, frame }, 1);
    expect(doc.getText('t').toString()).toBe('hi');
  });
});
