/**
 * Signature checks ahead of the engine (docs/TRUST-ENGINE.md, "Where
 * signatures are checked"). The engine verifies synchronously through its
 * EngineTrust, and the only synchronous Ed25519 in a browser is pure JS
 * (@noble/curves: ~0.3 ms a verification in Chromium when warm, several
 * milliseconds while cold, on every hop of every presence). WebCrypto's
 * Ed25519 is native and several times faster, but asynchronous. So for a
 * frame that carries signatures the driver first runs them through
 * `crypto.subtle.verify`, all in parallel, and keeps the verdicts; the
 * engine's `verify` then answers from them, and falls back to noble for
 * anything not checked ahead (a WebCrypto without Ed25519, a frame that did
 * not decode, a verdict already evicted). A verdict is a pure function of
 * (signature, message, key), so where it came from changes no outcome.
 */
import { hex, sameBytes } from '../../shared/src/bytes.js';
import type { SignedPart } from '../../shared/src/gossip/signed-parts.js';
import type { EngineTrust } from '../../shared/src/gossip/trust.js';

/** Verdicts kept: a few seconds of a busy room's signed traffic; older ones are checked again by noble if asked. */
const MAX_VERDICTS = 2048;
/** Imported keys kept (one per member whose signatures we check). */
const MAX_KEYS = 1024;

interface Verdict {
  message: Uint8Array;
  key: Uint8Array;
  ok: boolean;
}

type Subtle = Pick<SubtleCrypto, 'importKey' | 'verify'>;
/** What is checked: the parts of a SignedPart that make its verdict. */
type Signed = Pick<SignedPart, 'signature' | 'message' | 'key'>;

export class VerifyAhead {
  private readonly subtle: Subtle | null;
  private readonly verdicts = new Map<string, Verdict>();
  private readonly keys = new Map<string, Promise<CryptoKey>>();
  /** False once WebCrypto turned out not to do Ed25519 here: everything is left to the engine's fallback. */
  private usable = true;
  /** Verifications answered from a verdict computed ahead, and left to the fallback (for stats and tests). */
  hits = 0;
  misses = 0;

  /** `subtle`: WebCrypto's (the default), or null for none: every check is then the engine's own. */
  constructor(subtle: Subtle | null = globalThis.crypto?.subtle ?? null) {
    this.subtle = subtle;
  }

  /**
   * Starts checking `parts` and resolves once every verdict is in (never
   * rejects). Undefined when there is nothing to wait for: no parts, all
   * known already, or no WebCrypto Ed25519.
   */
  prepare(parts: readonly Signed[]): Promise<void> | undefined {
    const subtle = this.subtle;
    if (!subtle || !this.usable) return undefined;
    const todo = parts.filter((part) => this.find(part) === undefined);
    if (todo.length === 0) return undefined;
    return Promise.all(todo.map((part) => this.check(subtle, part))).then(
      () => undefined,
      () => undefined,
    );
  }

  /** `base` with `verify` answered from the verdicts computed ahead, else by `base`. */
  trust(base: EngineTrust): EngineTrust {
    return {
      publicKey: base.publicKey,
      sign: (message) => base.sign(message),
      certifies: (peer, key) => base.certifies(peer, key),
      verify: (signature, message, key) => {
        const known = this.find({ signature, message, key });
        if (known !== undefined) {
          this.hits += 1;
          return known;
        }
        this.misses += 1;
        return base.verify(signature, message, key);
      },
    };
  }

  private async check(subtle: Subtle, part: Signed): Promise<void> {
    try {
      const key = await this.importKey(subtle, part.key);
      // Copies: WebCrypto reads the bytes later, and the frame's buffers may be reused by then.
      const ok = await subtle.verify({ name: 'Ed25519' }, key, part.signature.slice(), part.message.slice());
      this.remember(part, ok);
    } catch (error) {
      // No Ed25519 in this WebCrypto (NotSupportedError): stop trying; the engine's noble answers.
      if (error instanceof Error && error.name === 'NotSupportedError') this.usable = false;
      // A key that is no curve point and the like: no verdict, so the engine checks it itself.
    }
  }

  private importKey(subtle: Subtle, raw: Uint8Array): Promise<CryptoKey> {
    const id = hex(raw);
    let key = this.keys.get(id);
    if (key === undefined) {
      key = subtle.importKey('raw', raw.slice(), { name: 'Ed25519' }, false, ['verify']);
      if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.keys().next().value as string);
      this.keys.set(id, key);
      key.catch(() => this.keys.delete(id));
    }
    return key;
  }

  private remember(part: Signed, ok: boolean): void {
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.delete(this.verdicts.keys().next().value as string);
    this.verdicts.set(hex(part.signature), { message: part.message.slice(), key: part.key.slice(), ok });
  }

  /** The verdict on exactly this signature, message and key, if one was computed ahead. */
  private find(part: Signed): boolean | undefined {
    const verdict = this.verdicts.get(hex(part.signature));
    if (verdict === undefined || !sameBytes(verdict.message, part.message) || !sameBytes(verdict.key, part.key)) return undefined;
    return verdict.ok;
  }
}
