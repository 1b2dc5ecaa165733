/**
 * Room passwords for signaling: every negotiation envelope (SDP offer and
 * answer, ICE candidates, busy replies) is sealed with AES-GCM before it
 * leaves the tab, over the server and over the mesh relay alike, so the
 * server (and every relaying tab) sees only the routing fields (room, to,
 * from) and one opaque string. A tab without the password cannot read an
 * offer nor write one that opens, so it never links.
 *
 * Key: PBKDF2-SHA-256, PBKDF2_ITERATIONS rounds, the room id as salt (as
 * y-webrtc does), derived once per room with WebCrypto (async). The AES-GCM
 * additional data binds each envelope to its room, sender and addressee, so
 * an operator cannot re-address a sealed offer to someone else.
 *
 * WebCrypto is async but envelopes must keep their order (the link manager
 * feeds them to one RTCPeerConnection in sequence): sealing and opening are
 * chained per peer.
 */
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import { fromBase64Url, toBase64Url, type JsonValue } from '../../shared/src/signaling.js';

/** PBKDF2-SHA-256 rounds: y-webrtc's 100,000, paid once per joinRoom (see README for the measured cost). */
export const PBKDF2_ITERATIONS = 100_000;
/** AES-GCM nonce bytes (random per envelope: 2^-32 collision odds only after ~2^32 envelopes under one key). */
const IV_BYTES = 12;
/** Domain separation of the additional data. */
const AAD_CONTEXT = 'murmur-signal-seal/1';

/** A sealed envelope, as it travels: one field, so nothing of the SDP shows. */
export interface SealedEnvelope {
  sealed: string;
}

export function isSealed(data: unknown): data is SealedEnvelope {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && typeof (data as { sealed?: unknown }).sealed === 'string';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (api === undefined) throw new MurmurError(ErrorCode.BAD_CONFIG, 'options.password needs WebCrypto (crypto.subtle): a secure context (https or localhost) or Node 20+');
  return api;
}

/** The room key: PBKDF2-SHA-256(password, salt = room id) → AES-GCM-256, not extractable. */
export async function deriveRoomKey(password: string, room: string, iterations: number = PBKDF2_ITERATIONS): Promise<CryptoKey> {
  const api = subtle();
  const material = await api.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveKey']);
  return api.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: encoder.encode(room), iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const aad = (room: string, from: string, to: string): Uint8Array<ArrayBuffer> => encoder.encode(`${AAD_CONTEXT}\n${room}\n${from}\n${to}`);

export async function sealEnvelope(key: CryptoKey, room: string, from: string, to: string, data: JsonValue): Promise<SealedEnvelope> {
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = encoder.encode(JSON.stringify(data));
  const cipher = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(room, from, to) }, key, plain));
  const out = new Uint8Array(IV_BYTES + cipher.length);
  out.set(iv);
  out.set(cipher, IV_BYTES);
  return { sealed: toBase64Url(out) };
}

/** Open a sealed envelope addressed `from` → `to`; throws MurmurError BAD_SEAL naming why. */
export async function openEnvelope(key: CryptoKey, room: string, from: string, to: string, data: unknown): Promise<JsonValue> {
  if (!isSealed(data)) throw new MurmurError(ErrorCode.BAD_SEAL, 'signal is not sealed: the sender has no room password');
  const bytes = fromBase64Url(data.sealed);
  // 16 bytes of GCM tag at least, after the IV.
  if (bytes === undefined || bytes.length < IV_BYTES + 16) throw new MurmurError(ErrorCode.BAD_SEAL, 'sealed signal is malformed');
  let plain: ArrayBuffer;
  try {
    plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: aad(room, from, to) },
      key,
      bytes.subarray(IV_BYTES),
    );
  } catch {
    throw new MurmurError(ErrorCode.BAD_SEAL, 'sealed signal did not decrypt: wrong room password, or altered or re-addressed on the way');
  }
  try {
    return JSON.parse(decoder.decode(plain)) as JsonValue;
  } catch {
    throw new MurmurError(ErrorCode.BAD_SEAL, 'sealed signal holds no JSON');
  }
}

export interface SignalSealOptions {
  room: string;
  selfId: string;
  password: string;
  /** Default PBKDF2_ITERATIONS; tests may lower it (never below 1). */
  iterations?: number;
  /** The room key already being derived (link-auth-key.ts derives it with the link key); default: derived here. */
  key?: Promise<CryptoKey>;
  /** An incoming envelope was dropped (did not open). */
  onDropped: (from: string, error: MurmurError) => void;
}

/**
 * The room's sealer: seals outgoing and opens incoming envelopes, each peer's
 * in the order they were handed in. Delivery callbacks run after the key is
 * derived and the envelope's crypto is done.
 */
export class SignalSeal {
  private readonly options: SignalSealOptions;
  private readonly key: Promise<CryptoKey>;
  /** Per peer and direction: the tail of its chain, so envelopes keep their order. */
  private readonly chains = new Map<string, Promise<void>>();
  private droppedCount = 0;
  private stopped = false;

  constructor(options: SignalSealOptions) {
    this.options = options;
    this.key = options.key ?? deriveRoomKey(options.password, options.room, options.iterations);
    // A failed derivation shows on the first envelope; never as an unhandled rejection.
    this.key.catch(() => {});
  }

  /** Envelopes that arrived and did not open (wrong password, unsealed, altered). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Resolves once the room key is derived (tests and join-time measurements). */
  ready(): Promise<void> {
    return this.key.then(() => undefined);
  }

  seal(to: string, data: JsonValue, send: (to: string, sealed: SealedEnvelope) => void): void {
    this.chain(`>${to}`, async () => {
      const sealed = await sealEnvelope(await this.key, this.options.room, this.options.selfId, to, data);
      if (!this.stopped) send(to, sealed);
    });
  }

  open(from: string, data: unknown, deliver: (from: string, plain: JsonValue) => void): void {
    this.chain(`<${from}`, async () => {
      let plain: JsonValue;
      try {
        plain = await openEnvelope(await this.key, this.options.room, from, this.options.selfId, data);
      } catch (error) {
        if (this.stopped) return;
        this.droppedCount += 1;
        const reason = error instanceof MurmurError ? error : new MurmurError(ErrorCode.BAD_SEAL, String(error));
        this.options.onDropped(from, reason);
        return;
      }
      if (!this.stopped) deliver(from, plain);
    });
  }

  /** Nothing more is delivered or sent. */
  stop(): void {
    this.stopped = true;
    this.chains.clear();
  }

  private chain(lane: string, step: () => Promise<void>): void {
    const previous = this.chains.get(lane) ?? Promise.resolve();
    const next = previous.then(step).catch(() => {});
    this.chains.set(lane, next);
    // Forget idle lanes, so a room of churning peers does not grow the map.
    void next.then(() => {
      if (this.chains.get(lane) === next) this.chains.delete(lane);
    });
  }
}
