/**
 * Links bound to identities. Before the engine sees a new data channel, each
 * end sends one link-auth frame: its Ed25519 public key, its signature over
 * a transcript of this link (room, both peer ids, both DTLS fingerprints as
 * the signer's own SDP shows them), and, in a room with a password, an
 * HMAC over the same transcript under a key derived from the password.
 *
 *   linkAuth   = 0x03 key:bytes(32) sig:bytes(64) mac:bytes(0 | 32)
 *   transcript = string("murmur-link-auth/1") string(room) string(signer) string(verifier)
 *                string(signerFingerprints) string(verifierFingerprints)
 *
 * The receiver checks that the signer id derives from the key, then the
 * signature and the MAC over the transcript it builds from *its* SDP (so the
 * two fingerprints swap places). Why this suffices without a nonce: the
 * browser admits a DTLS peer only if its certificate matches the remote
 * SDP's fingerprint, so each fingerprint names a private key only that end
 * holds. An operator that swaps SDP shows each end its own certificate's
 * fingerprint instead, and the signed pair then differs from the one the
 * other end sees; a captured frame names one link's certificate pair and is
 * worthless on any other link, and replaying it on its own link proves
 * nothing new.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as encoding from 'lib0/encoding';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { Reader } from '../../shared/src/gossip/wire/reader.js';
import { encodeWith } from '../../shared/src/gossip/wire/scratch-encoder.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, fromBase64Url, idCertifiedBy } from '../../shared/src/signaling.js';
import type { Identity } from './identity.js';

/**
 * First byte of a link-auth message. framing.ts's data-channel messages
 * start with 0 or 1 (a piece) or 2 (a batch); 3 is this frame's alone, and
 * after the link is up a 3 is refused as a bad piece flag.
 */
export const LINK_AUTH_TAG = 3;
export const LINK_AUTH_CONTEXT = 'murmur-link-auth/1';
export const LINK_MAC_BYTES = 32;

/** Why a link failed to authenticate (in the error's message and `reason`). */
export type LinkAuthReason = 'missing' | 'malformed' | 'key-mismatch' | 'bad-signature' | 'bad-password' | 'no-fingerprint';

export class LinkAuthError extends MurmurError {
  readonly reason: LinkAuthReason;

  constructor(reason: LinkAuthReason, message: string) {
    super(ErrorCode.BAD_LINK_AUTH, message);
    this.name = 'LinkAuthError';
    this.reason = reason;
  }
}

/** The DTLS fingerprints of one link, each as its own SDP shows them (see sdpFingerprints). */
export interface LinkFingerprints {
  local: string;
  remote: string;
}

/**
 * An SDP's `a=fingerprint:` lines, normalised (hash name lower case, hex
 * upper case, sorted, comma-joined) so both ends write the same text for
 * one certificate whatever order or case their stacks use. '' when none.
 */
export function sdpFingerprints(sdp: string | undefined | null): string {
  if (!sdp) return '';
  const found = new Set<string>();
  for (const match of sdp.matchAll(/^a=fingerprint:\s*(\S+)\s+([0-9A-Fa-f:]+)\s*$/gm)) {
    found.add(`${(match[1] as string).toLowerCase()} ${(match[2] as string).toUpperCase()}`);
  }
  return [...found].sort().join(',');
}

export interface TranscriptFields {
  room: string;
  signer: string;
  verifier: string;
  signerFingerprints: string;
  verifierFingerprints: string;
}

export function linkTranscript(fields: TranscriptFields): Uint8Array {
  return encodeWith((encoder) => {
    encoding.writeVarString(encoder, LINK_AUTH_CONTEXT);
    encoding.writeVarString(encoder, fields.room);
    encoding.writeVarString(encoder, fields.signer);
    encoding.writeVarString(encoder, fields.verifier);
    encoding.writeVarString(encoder, fields.signerFingerprints);
    encoding.writeVarString(encoder, fields.verifierFingerprints);
  });
}

export interface LinkAuthFrame {
  publicKey: Uint8Array;
  signature: Uint8Array;
  /** Empty in a room without a password. */
  mac: Uint8Array;
}

export function encodeLinkAuth(frame: LinkAuthFrame): Uint8Array {
  return encodeWith((encoder) => {
    encoding.writeUint8(encoder, LINK_AUTH_TAG);
    encoding.writeVarUint8Array(encoder, frame.publicKey);
    encoding.writeVarUint8Array(encoder, frame.signature);
    encoding.writeVarUint8Array(encoder, frame.mac);
  });
}

/** Throws LinkAuthError('missing') for another message, ('malformed') for a bad one. */
export function decodeLinkAuth(bytes: Uint8Array): LinkAuthFrame {
  if (bytes[0] !== LINK_AUTH_TAG) throw new LinkAuthError('missing', `first message on the link is not link-auth (starts with ${String(bytes[0])})`);
  const reader = new Reader(bytes);
  reader.pos = 1;
  try {
    const publicKey = reader.bytesOf(PUBLIC_KEY_BYTES, 'link-auth key');
    const signature = reader.bytesOf(SIGNATURE_BYTES, 'link-auth signature');
    const mac = reader.bytesOf(LINK_MAC_BYTES, 'link-auth mac');
    reader.end();
    if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES || (mac.length !== 0 && mac.length !== LINK_MAC_BYTES)) {
      throw new Error(`field sizes ${publicKey.length}/${signature.length}/${mac.length}`);
    }
    return { publicKey, signature, mac };
  } catch (error) {
    throw new LinkAuthError('malformed', `link-auth frame is malformed: ${(error as Error).message}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export interface LinkAuthOptions {
  room: string;
  /** This end's id: the identity's, or a chosen one (which no peer will accept). */
  selfId: string;
  identity: Identity;
  /**
   * With a room password: the 32-byte link key (link-auth-key.ts), or a
   * promise of it (PBKDF2 runs once per join, asynchronously).
   */
  linkKey?: Uint8Array | Promise<Uint8Array> | undefined;
}

/** Proves this end and checks the other, for every link of one room. */
export class LinkAuth {
  private readonly options: LinkAuthOptions;
  private readonly publicKey: Uint8Array;

  constructor(options: LinkAuthOptions) {
    this.options = options;
    const key = fromBase64Url(options.identity.publicKey);
    if (key === undefined || key.length !== PUBLIC_KEY_BYTES) throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'identity.publicKey must be 32 bytes in base64url');
    this.publicKey = key;
    if (options.linkKey instanceof Promise) options.linkKey.catch(() => {});
  }

  /** The frame this end sends first on its link to `peer`. */
  async prove(peer: string, fingerprints: LinkFingerprints): Promise<Uint8Array> {
    const transcript = linkTranscript({
      room: this.options.room,
      signer: this.options.selfId,
      verifier: peer,
      signerFingerprints: fingerprints.local,
      verifierFingerprints: fingerprints.remote,
    });
    const linkKey = await this.options.linkKey;
    return encodeLinkAuth({
      publicKey: this.publicKey,
      signature: this.options.identity.sign(transcript),
      mac: linkKey === undefined ? new Uint8Array(0) : hmac(sha256, linkKey, transcript),
    });
  }

  /** Resolves when `bytes` proves `peer` on this link; rejects with a LinkAuthError naming what was wrong. */
  async verify(peer: string, bytes: Uint8Array, fingerprints: LinkFingerprints): Promise<void> {
    const frame = decodeLinkAuth(bytes);
    if (!fingerprints.local || !fingerprints.remote) throw new LinkAuthError('no-fingerprint', 'this link has no DTLS fingerprint in its SDP');
    if (!idCertifiedBy(peer, frame.publicKey)) throw new LinkAuthError('key-mismatch', `link-auth key does not derive peer id ${peer}`);
    const transcript = linkTranscript({
      room: this.options.room,
      signer: peer,
      verifier: this.options.selfId,
      signerFingerprints: fingerprints.remote,
      verifierFingerprints: fingerprints.local,
    });
    let signed = false;
    try {
      signed = ed25519.verify(frame.signature, transcript, frame.publicKey);
    } catch {
      signed = false;
    }
    if (!signed) throw new LinkAuthError('bad-signature', 'link-auth signature does not verify over this link (DTLS fingerprints swapped, or another room or peer)');
    const linkKey = await this.options.linkKey;
    if (linkKey === undefined) {
      if (frame.mac.length !== 0) throw new LinkAuthError('bad-password', 'the peer proves a room password and this tab has none');
      return;
    }
    if (frame.mac.length === 0) throw new LinkAuthError('bad-password', 'the peer proves no room password');
    if (!equalBytes(frame.mac, hmac(sha256, linkKey, transcript))) throw new LinkAuthError('bad-password', 'the peer proves another room password');
  }
}
