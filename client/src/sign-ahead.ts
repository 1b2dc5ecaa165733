/**
 * Our own signatures, made ahead with WebCrypto (the companion of
 * verify-ahead.ts). The engine signs each presence synchronously as it is
 * set, and synchronously a browser has only pure-JS Ed25519 (@noble/curves),
 * milliseconds on a busy page, on the path of every presence update. So the
 * driver asks the engine what a `set-presence` will sign
 * (`GossipEngine.presenceToSign`), signs it with WebCrypto's native Ed25519,
 * and only then feeds the command in; the engine's `sign` answers from that
 * signature and falls back to the identity's own `sign` for anything else.
 * Ed25519 signatures are deterministic (RFC 8032), so both give the same
 * bytes: where a signature came from changes nothing on the wire.
 */
import type { EngineTrust } from '../../shared/src/gossip/trust.js';
import { toBase64Url } from '../../shared/src/signaling.js';
import { hex } from '../../shared/src/bytes.js';

/** Signatures kept: the last few presences (each set is signed once, then asked for once). */
const MAX_SIGNATURES = 8;

type Subtle = Pick<SubtleCrypto, 'importKey' | 'sign'>;

export class SignAhead {
  private readonly key: Promise<CryptoKey | undefined>;
  private readonly signatures = new Map<string, Uint8Array>();
  private readonly subtle: Subtle | null;
  private usable = true;
  /** Signatures answered from ahead, and left to the fallback (for stats and tests). */
  hits = 0;
  misses = 0;

  /**
   * `secretKey`/`publicKey`: the identity's raw 32-byte keys; without a secret (an identity the app
   * built) or without WebCrypto Ed25519, nothing is signed ahead.
   */
  constructor(secretKey: Uint8Array | undefined, publicKey: Uint8Array, subtle: Subtle | null = globalThis.crypto?.subtle ?? null) {
    this.key =
      secretKey === undefined || subtle === null
        ? Promise.resolve(undefined)
        : subtle
            .importKey('jwk', { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(secretKey), x: toBase64Url(publicKey) }, { name: 'Ed25519' }, false, ['sign'])
            .catch(() => undefined);
    this.subtle = subtle;
    if (secretKey === undefined) this.usable = false;
    void this.key.then((key) => {
      if (key === undefined) this.usable = false;
    });
  }

  /** Starts signing `message`; resolves (never rejects) once its signature is in. Undefined when there is nothing to wait for. */
  prepare(message: Uint8Array | undefined): Promise<void> | undefined {
    const subtle = this.subtle;
    if (message === undefined || subtle === null || !this.usable || this.signatures.has(hex(message))) return undefined;
    const bytes = message.slice();
    return this.key.then(async (key) => {
      if (key === undefined) return;
      try {
        const signature = new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, bytes));
        if (this.signatures.size >= MAX_SIGNATURES) this.signatures.delete(this.signatures.keys().next().value as string);
        this.signatures.set(hex(bytes), signature);
      } catch {
        // no signature ahead: the identity's own sign answers
      }
    });
  }

  /** `base` with `sign` answered from the signatures made ahead, else by `base`. */
  trust(base: EngineTrust): EngineTrust {
    return {
      publicKey: base.publicKey,
      verify: (signature, message, key) => base.verify(signature, message, key),
      certifies: (peer, key) => base.certifies(peer, key),
      sign: (message) => {
        const id = hex(message);
        const ahead = this.signatures.get(id);
        if (ahead !== undefined) {
          this.signatures.delete(id);
          this.hits += 1;
          return ahead;
        }
        this.misses += 1;
        return base.sign(message);
      },
    };
  }
}
