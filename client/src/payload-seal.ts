/**
 * End-to-end payload encryption for rooms with a password. The engine
 * carries app payloads (doc sync, app messages) as opaque bytes and presence
 * as JSON, and every tab on the way relays them; here the client seals each
 * one before the engine sees it and opens it where it is delivered, so a tab
 * or a wire reader without the password sees only ciphertext and lengths.
 *
 * XChaCha20-Poly1305 (@noble/ciphers) because it is synchronous: doc sync,
 * `room.broadcast` and presence keep their sync API and their order, where
 * WebCrypto's AES-GCM would make every payload wait on a promise. Its 24-byte
 * nonce is drawn at random per payload, so no counter has to survive a
 * reload or be shared between a peer's tabs (random 24-byte nonces collide
 * with odds ~2^-129 after 2^32 payloads under one key).
 *
 * The additional data binds each payload to its room, its sender and its
 * path (broadcast, or routed to one addressee), and each presence to its
 * room and owner: a relay cannot re-attribute a sealed payload to another
 * sender, turn a direct message into a broadcast or re-address it. Every
 * member holds the same key, though: a member with the password can still
 * write payloads in any name. Who said what is for signatures, not for this.
 *
 * Wire forms (shared/PROTOCOL.md, "End-to-end payload encryption"):
 *   payload  = 0x07 nonce:24 ciphertext(channel frame) tag:16
 *   presence = { "$sealed": base64url(nonce:24 ciphertext(presence JSON) tag:16) }
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import * as encoding from 'lib0/encoding';
import type { PeerId, Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { fromBase64Url, toBase64Url } from '../../shared/src/signaling.js';

/** First byte of a sealed app payload (client/CHANNELS.md); mesh signals (0) stay as they are. */
export const SEALED_CHANNEL = 7;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
/** Bytes a sealed payload adds to the channel frame it carries. */
export const PAYLOAD_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;
/** The one key of a sealed presence. */
export const SEALED_PRESENCE_KEY = '$sealed';

/** Domain separation of the two kinds of additional data (and the format version). */
const PAYLOAD_CONTEXT = 'murmur-payload-seal/1';
const PRESENCE_CONTEXT = 'murmur-presence-seal/1';

/** Where a payload goes: `to` undefined for a broadcast, else the one addressee of a route. */
export interface PayloadAddress {
  room: string;
  from: PeerId;
  to?: PeerId;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const badSeal = (message: string): MurmurError => new MurmurError(ErrorCode.BAD_SEAL, message);

export function randomNonce(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}

/** Length-prefixed strings: no id can be cut so that two addresses share their additional data. */
function payloadAad({ room, from, to }: PayloadAddress): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, PAYLOAD_CONTEXT);
  encoding.writeVarString(e, room);
  encoding.writeVarString(e, from);
  encoding.writeUint8(e, to === undefined ? 0 : 1);
  if (to !== undefined) encoding.writeVarString(e, to);
  return encoding.toUint8Array(e);
}

function presenceAad(room: string, from: PeerId): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, PRESENCE_CONTEXT);
  encoding.writeVarString(e, room);
  encoding.writeVarString(e, from);
  return encoding.toUint8Array(e);
}

/** A channel frame → `0x07 nonce ciphertext tag`. */
export function sealPayload(key: Uint8Array, address: PayloadAddress, frame: Uint8Array, nonce: Uint8Array = randomNonce()): Uint8Array {
  const out = new Uint8Array(PAYLOAD_OVERHEAD + frame.length);
  out[0] = SEALED_CHANNEL;
  out.set(nonce, 1);
  xchacha20poly1305(key, nonce, payloadAad(address)).encrypt(frame, out.subarray(1 + NONCE_BYTES));
  return out;
}

/** The channel frame inside a sealed payload; throws MurmurError BAD_SEAL naming why. */
export function openPayload(key: Uint8Array, address: PayloadAddress, payload: Uint8Array): Uint8Array {
  if (payload[0] !== SEALED_CHANNEL) throw badSeal(`unsealed payload (channel ${payload[0] ?? 'none'}) in a room with a password`);
  if (payload.length < PAYLOAD_OVERHEAD) throw badSeal(`sealed payload of ${payload.length} bytes, under the ${PAYLOAD_OVERHEAD} of nonce and tag`);
  try {
    return xchacha20poly1305(key, payload.subarray(1, 1 + NONCE_BYTES), payloadAad(address)).decrypt(payload.subarray(1 + NONCE_BYTES));
  } catch {
    throw badSeal('sealed payload did not open: another room password, or altered, re-addressed or re-attributed on the way');
  }
}

/** Bytes of the sealed presence's JSON for an app presence of `jsonBytes` bytes of JSON (the engine's limit must hold this). */
export function sealedPresenceBytes(jsonBytes: number): number {
  const sealed = NONCE_BYTES + jsonBytes + TAG_BYTES;
  // base64url without padding, inside {"$sealed":"…"}.
  return `{"${SEALED_PRESENCE_KEY}":""}`.length + Math.ceil((sealed * 4) / 3);
}

export function sealPresence(key: Uint8Array, room: string, from: PeerId, presence: Presence, nonce: Uint8Array = randomNonce()): Presence {
  const plain = encoder.encode(JSON.stringify(presence));
  const out = new Uint8Array(NONCE_BYTES + plain.length + TAG_BYTES);
  out.set(nonce);
  xchacha20poly1305(key, nonce, presenceAad(room, from)).encrypt(plain, out.subarray(NONCE_BYTES));
  return { [SEALED_PRESENCE_KEY]: toBase64Url(out) };
}

/**
 * The presence inside a sealed one. `{}` (a peer that has published nothing
 * yet) passes as it is; anything else that is not a sealed presence of this
 * room and owner throws MurmurError BAD_SEAL.
 */
export function openPresence(key: Uint8Array, room: string, from: PeerId, presence: Presence): Presence {
  const keys = Object.keys(presence);
  if (keys.length === 0) return presence;
  const sealed = presence[SEALED_PRESENCE_KEY];
  if (keys.length !== 1 || typeof sealed !== 'string') throw badSeal('unsealed presence in a room with a password');
  const bytes = fromBase64Url(sealed);
  if (bytes === undefined || bytes.length < NONCE_BYTES + TAG_BYTES) throw badSeal('sealed presence is malformed');
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(key, bytes.subarray(0, NONCE_BYTES), presenceAad(room, from)).decrypt(bytes.subarray(NONCE_BYTES));
  } catch {
    throw badSeal('sealed presence did not open: another room password, or altered or re-attributed on the way');
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(plain));
  } catch {
    throw badSeal('sealed presence holds no JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badSeal('sealed presence holds no JSON object');
  return value as Presence;
}

export interface PayloadSealOptions {
  room: string;
  selfId: PeerId;
  /** The 32-byte payload key, as it is being derived (payload-seal-key.ts). */
  key: Promise<Uint8Array>;
  /** A step queued before the key was ready threw (default console.error); the steps after it still run. */
  onStepError?: (error: unknown) => void;
}

/**
 * One room's sealer. The key is derived asynchronously (PBKDF2, once per
 * join) but sealing and opening are synchronous: until the key is in, every
 * step that needs it (an outgoing payload or presence, an incoming one, a
 * member joining or leaving) waits in one queue, in the order it came, and
 * the queue runs the moment the key arrives. From then on `after` runs its
 * step at once. In practice nothing incoming can wait here (no link opens
 * before the signaling key, derived from the same password, is in), but an
 * app that edits the document or sets presence right after joinRoom does.
 */
export class PayloadSeal {
  private readonly options: PayloadSealOptions;
  private key: Uint8Array | undefined;
  /** Steps waiting for the key; undefined once they have all run (or never will). */
  private queue: (() => void)[] | undefined = [];
  private state: 'deriving' | 'ready' | 'failed' | 'stopped' = 'deriving';

  constructor(options: PayloadSealOptions) {
    this.options = options;
    options.key.then(
      (key) => {
        if (this.state !== 'deriving') return;
        this.key = key;
        this.flush();
      },
      // A derivation that fails (no WebCrypto) fails the signaling seal too: no link will open. Drop what waits.
      () => {
        if (this.state !== 'deriving') return;
        this.state = 'failed';
        this.queue = undefined;
      },
    );
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Run `step` once the key is in: now if it is and nothing waits before it, else after what waits. */
  after(step: () => void): void {
    if (this.queue !== undefined) this.queue.push(step);
    else if (this.state === 'ready') step();
  }

  /** A channel frame → a sealed payload from this tab (to: the addressee of a route; undefined for a broadcast). */
  seal(to: PeerId | undefined, frame: Uint8Array): Uint8Array {
    return sealPayload(this.need(), { room: this.options.room, from: this.options.selfId, to }, frame);
  }

  /** A payload delivered from `from` (direct: routed to this tab) → its channel frame; throws MurmurError BAD_SEAL. */
  open(from: PeerId, payload: Uint8Array, direct: boolean): Uint8Array {
    return openPayload(this.need(), { room: this.options.room, from, to: direct ? this.options.selfId : undefined }, payload);
  }

  sealPresence(presence: Presence): Presence {
    return sealPresence(this.need(), this.options.room, this.options.selfId, presence);
  }

  openPresence(from: PeerId, presence: Presence): Presence {
    return openPresence(this.need(), this.options.room, from, presence);
  }

  /** Nothing queued runs any more (the room was left). */
  stop(): void {
    this.state = 'stopped';
    this.queue = undefined;
    this.key = undefined;
  }

  private need(): Uint8Array {
    if (this.key === undefined) throw new MurmurError(ErrorCode.BAD_SEAL, `the payload key is not ready (${this.state})`);
    return this.key;
  }

  private flush(): void {
    const queue = this.queue ?? [];
    // Steps queued while these run join the end of the same queue, so the order holds across the switch.
    for (let i = 0; i < queue.length && this.state === 'deriving'; i++) {
      try {
        (queue[i] as () => void)();
      } catch (error) {
        (this.options.onStepError ?? ((e: unknown) => console.error(e)))(error);
      }
    }
    if (this.state !== 'deriving') return;
    this.state = 'ready';
    this.queue = undefined;
  }
}
