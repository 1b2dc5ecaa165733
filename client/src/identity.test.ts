import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { DERIVED_PEER_ID_LENGTH, derivePeerId, fromBase64Url } from '../../shared/src/signaling.js';
import { createIdentity, exportIdentity, importIdentity } from './identity.js';

describe('identity', () => {
  it('derives its id from its public key and signs verifiably', () => {
    const identity = createIdentity();
    const publicKey = fromBase64Url(identity.publicKey)!;
    expect(publicKey).toHaveLength(32);
    expect(identity.id).toBe(derivePeerId(publicKey));
    expect(identity.id).toHaveLength(DERIVED_PEER_ID_LENGTH);
    const message = new TextEncoder().encode('hello');
    expect(ed25519.verify(identity.sign(message), message, publicKey)).toBe(true);
    expect(createIdentity().id).not.toBe(identity.id);
  });

  it('survives export → JSON → import with the same id and key', () => {
    const identity = createIdentity();
    const stored = JSON.stringify(exportIdentity(identity));
    const back = importIdentity(JSON.parse(stored));
    expect(back.id).toBe(identity.id);
    expect(back.publicKey).toBe(identity.publicKey);
    const message = new Uint8Array([1, 2, 3]);
    expect(back.sign(message)).toEqual(identity.sign(message));
  });

  it('refuses what is not an exported identity with BAD_ARGUMENT', () => {
    for (const bad of [null, 'x', {}, { v: 2, secretKey: 'AA' }, { v: 1, secretKey: 'short' }, { v: 1, secretKey: '!'.repeat(43) }]) {
      expect(() => importIdentity(bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    }
    expect(() => exportIdentity({ id: 'x', publicKey: 'y', sign: () => new Uint8Array() })).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }),
    );
  });
});
