/**
 * The link-auth transcript, frame and checks, table by table: what an honest
 * pair proves, and each lie (a swapped fingerprint, another key, another
 * password, another room, a reflected frame) refused with its reason.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createIdentity } from './identity.js';
import { idCertifiedBy } from '../../shared/src/signaling.js';
import { LinkAuth, LinkAuthError, decodeLinkAuth, encodeLinkAuth, sdpFingerprints, type LinkAuthReason } from './link-auth.js';
import { fromBase64Url } from '../../shared/src/signaling.js';
import { deriveRoomSecrets } from './link-auth-key.js';
import { deriveRoomKey, openEnvelope, sealEnvelope } from './signal-seal.js';

const FA = 'sha-256 AA:01:02';
const FB = 'sha-256 BB:03:04';
const FM = 'sha-256 EE:05:06';
const ann = createIdentity();
const bob = createIdentity();
const eve = createIdentity();
const keyOf = (byte: number) => new Uint8Array(32).fill(byte);

function auth(identity = ann, options: { room?: string; selfId?: string; linkKey?: Uint8Array } = {}) {
  return new LinkAuth({ room: options.room ?? 'room', selfId: options.selfId ?? identity.id, identity, linkKey: options.linkKey });
}

async function reason(promise: Promise<unknown>): Promise<LinkAuthReason | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(LinkAuthError);
    expect((error as LinkAuthError).code).toBe(ErrorCode.BAD_LINK_AUTH);
    return (error as LinkAuthError).reason;
  }
}

describe('sdpFingerprints', () => {
  it('normalises case and order, drops duplicates, and is empty without a fingerprint', () => {
    const chrome = 'v=0\r\na=fingerprint:sha-256 ab:cd:EF\r\nm=application 9\r\na=fingerprint:SHA-1 01:02\r\na=fingerprint:sha-256 AB:CD:ef\r\n';
    expect(sdpFingerprints(chrome)).toBe('sha-1 01:02,sha-256 AB:CD:EF');
    expect(sdpFingerprints('v=0\r\nm=application 9\r\n')).toBe('');
    expect(sdpFingerprints(undefined)).toBe('');
  });
});

describe('idCertifiedBy', () => {
  const key = fromBase64Url(ann.publicKey)!;
  it.each([
    ["the key's derived id", ann.id, true],
    ['a label before it (the keeper)', `keeper.${ann.id}`, true],
    ["another key's id", bob.id, false],
    ["a label before another key's id", `keeper.${bob.id}`, false],
    ['a dot and nothing before it', `.${ann.id}`, false],
    ['the id with a suffix', `${ann.id}.x`, false],
    ['a chosen name', 'chosen-name', false],
  ] as const)('%s: %s', (_name, id, expected) => {
    expect(idCertifiedBy(id, key)).toBe(expected);
  });

  it('lets a labelled id link', async () => {
    const keeper = auth(ann, { selfId: `keeper.${ann.id}` });
    const proof = await keeper.prove(bob.id, { local: FA, remote: FB });
    expect(await reason(auth(bob).verify(`keeper.${ann.id}`, proof, { local: FB, remote: FA }))).toBe('ok');
  });
});

describe('link-auth frame', () => {
  it('is 100 bytes, 132 with a room password, and round-trips', async () => {
    const plain = await auth().prove(bob.id, { local: FA, remote: FB });
    const keyed = await auth(ann, { linkKey: keyOf(7) }).prove(bob.id, { local: FA, remote: FB });
    expect([plain.length, keyed.length]).toEqual([100, 132]);
    expect(encodeLinkAuth(decodeLinkAuth(keyed))).toEqual(keyed);
  });

  it.each([
    ['an engine frame instead', Uint8Array.of(0, 1, 1), 'missing'],
    ['a batch instead', Uint8Array.of(2, 1, 0), 'missing'],
    ['truncated', Uint8Array.of(3, 32, 1, 2), 'malformed'],
    ['a short key', Uint8Array.of(3, 1, 9, 0, 0), 'malformed'],
    ['trailing bytes', new Uint8Array([3, 32, ...keyOf(1), 64, ...new Uint8Array(64), 0, 9]), 'malformed'],
  ] as const)('refuses %s', async (_name, bytes, expected) => {
    expect(await reason(auth(bob).verify(ann.id, bytes, { local: FB, remote: FA }))).toBe(expected);
  });
});

describe('LinkAuth.verify', () => {
  it('accepts the honest pair both ways, each seeing the fingerprints swapped', async () => {
    const a = auth(ann);
    const b = auth(bob);
    expect(await reason(b.verify(ann.id, await a.prove(bob.id, { local: FA, remote: FB }), { local: FB, remote: FA }))).toBe('ok');
    expect(await reason(a.verify(bob.id, await b.prove(ann.id, { local: FB, remote: FA }), { local: FA, remote: FB }))).toBe('ok');
  });

  it("refuses an operator's swapped SDP: each end signed a fingerprint pair the other does not see", async () => {
    // Ann's link ends at the operator (remote FM); Bob's link too (remote FM).
    const annProof = await auth(ann).prove(bob.id, { local: FA, remote: FM });
    expect(await reason(auth(bob).verify(ann.id, annProof, { local: FB, remote: FM }))).toBe('bad-signature');
    expect(await reason(auth(bob).verify(ann.id, annProof, { local: FB, remote: FA }))).toBe('bad-signature');
  });

  it.each([
    ['a key that is not the id', async () => auth(eve, { selfId: ann.id }).prove(bob.id, { local: FA, remote: FB }), 'key-mismatch'],
    ['a frame for another room', async () => auth(ann, { room: 'other' }).prove(bob.id, { local: FA, remote: FB }), 'bad-signature'],
    ['a frame for another verifier', async () => auth(ann).prove(eve.id, { local: FA, remote: FB }), 'bad-signature'],
    ['a frame with its fingerprints in the wrong order', async () => auth(ann).prove(bob.id, { local: FB, remote: FA }), 'bad-signature'],
    [
      "ann's key with another's signature",
      async () => {
        const frame = decodeLinkAuth(await auth(ann).prove(bob.id, { local: FA, remote: FB }));
        const eves = decodeLinkAuth(await auth(eve).prove(bob.id, { local: FA, remote: FB }));
        return encodeLinkAuth({ ...frame, signature: eves.signature });
      },
      'bad-signature',
    ],
  ] as const)('refuses %s', async (_name, make, expected) => {
    expect(await reason(auth(bob).verify(ann.id, await make(), { local: FB, remote: FA }))).toBe(expected);
  });

  it('refuses its own frame reflected back at it', async () => {
    const a = auth(ann);
    const own = await a.prove(bob.id, { local: FA, remote: FB });
    expect(await reason(a.verify(bob.id, own, { local: FA, remote: FB }))).toBe('key-mismatch');
  });

  it.each([
    ['the same password', keyOf(1), keyOf(1), 'ok'],
    ['another password', keyOf(2), keyOf(1), 'bad-password'],
    ['no password, to a room with one', undefined, keyOf(1), 'bad-password'],
    ['a password, to a tab with none', keyOf(1), undefined, 'bad-password'],
  ] as const)('with %s: %s', async (_name, proverKey, verifierKey, expected) => {
    const proof = await auth(ann, { linkKey: proverKey }).prove(bob.id, { local: FA, remote: FB });
    expect(await reason(auth(bob, { linkKey: verifierKey }).verify(ann.id, proof, { local: FB, remote: FA }))).toBe(expected);
  });

  it('refuses a link whose SDP has no fingerprint', async () => {
    const proof = await auth(ann).prove(bob.id, { local: FA, remote: FB });
    expect(await reason(auth(bob).verify(ann.id, proof, { local: '', remote: FA }))).toBe('no-fingerprint');
  });
});

describe('deriveRoomSecrets', () => {
  it("gives signal-seal's own key (sealed envelopes interoperate) and a link key per password and room", async () => {
    const secrets = await deriveRoomSecrets('pw', 'room', 1000);
    const legacy = await deriveRoomKey('pw', 'room', 1000);
    const sealed = await sealEnvelope(secrets.sealKey, 'room', 'a', 'b', { hello: 1 });
    expect(await openEnvelope(legacy, 'room', 'a', 'b', sealed)).toEqual({ hello: 1 });
    const other = await deriveRoomSecrets('pw2', 'room', 1000);
    const elsewhere = await deriveRoomSecrets('pw', 'room2', 1000);
    expect(secrets.linkKey).toHaveLength(32);
    expect(secrets.payloadKey).toHaveLength(32);
    expect(secrets.payloadKey).not.toEqual(secrets.linkKey);
    expect(secrets.linkKey).not.toEqual(other.linkKey);
    expect(secrets.linkKey).not.toEqual(elsewhere.linkKey);
    expect((await deriveRoomSecrets('pw', 'room', 1000)).linkKey).toEqual(secrets.linkKey);
  });
});
