/**
 * The measurements bench/ed25519.ts runs, in Node or (bundled) in Chromium:
 * µs per Ed25519 sign and verify of a 96-byte record, with the pure-JS
 * @noble/curves the engine could call synchronously, and with the platform's
 * native WebCrypto (asynchronous; awaited one at a time, and a batch of
 * verifies in parallel, as a driver would check one frame's records).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { BATCH, opTimer } from './micro-timer.js';

export async function measureEd25519(rounds: number, print: (line: string) => void): Promise<void> {
  const message = new Uint8Array(96).fill(7);
  const time = opTimer(rounds, print, 20);

  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  const nobleSig = ed25519.sign(message, secret);
  await time('@noble/curves sign', () => ed25519.sign(message, secret));
  await time('@noble/curves verify', () => ed25519.verify(nobleSig, message, publicKey));

  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const webSig = await crypto.subtle.sign('Ed25519', pair.privateKey, message);
  await time('WebCrypto sign (awaited one by one)', () => crypto.subtle.sign('Ed25519', pair.privateKey, message));
  await time('WebCrypto verify (awaited one by one)', () => crypto.subtle.verify('Ed25519', pair.publicKey, webSig, message));
  // Per op, BATCH verifies started together and awaited as one (the op here is the whole batch / BATCH).
  let pending: Promise<boolean>[] = [];
  await time('WebCrypto verify (20 in parallel)', async () => {
    pending.push(crypto.subtle.verify('Ed25519', pair.publicKey, webSig, message));
    if (pending.length === BATCH) {
      await Promise.all(pending);
      pending = [];
    }
  });
  print(`bytes: public key ${publicKey.length}, signature ${nobleSig.length}`);
}
