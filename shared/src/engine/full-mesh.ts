/**
 * The walking skeleton's engine: every peer links to every peer it hears of
 * and sends its presence straight to each neighbour. No relaying, so it only
 * suits small rooms; the gossip engine replaces it behind the same
 * `Engine` interface without touching any driver.
 *
 * Wire (one frame per data-channel message, lib0 encoding):
 *   frame    = kind:u8 body
 *   HELLO    = 1 version:varuint presence:json     (first frame on a new link)
 *   PRESENCE = 2 version:varuint presence:json
 *   BYE      = 3                                   (graceful leave)
 *   DATA     = 4 payload:varuint8array             (app broadcast)
 *   DIRECT   = 5 payload:varuint8array             (app message to this one peer)
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ErrorCode } from '../errors.js';
import type { Engine, EngineInput, EngineOutput, PeerId, Presence } from './types.js';

const Kind = { HELLO: 1, PRESENCE: 2, BYE: 3, DATA: 4, DIRECT: 5 } as const;

export interface FullMeshOptions {
  selfId: PeerId;
  /** Coalesce presence updates to at most one per this many ms (16–1000; default 50). */
  presenceThrottleMs?: number;
  /** Largest presence JSON accepted from a peer, in bytes (default 16 KiB). */
  maxPresenceBytes?: number;
}

interface Member {
  version: number;
  presence: Presence;
  joined: boolean;
}

const PRESENCE_TIMER = 'presence';

function encodePayload(kind: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, kind);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export class FullMeshEngine implements Engine {
  readonly selfId: PeerId;
  private readonly throttleMs: number;
  private readonly maxPresenceBytes: number;
  private readonly links = new Set<PeerId>();
  private readonly members = new Map<PeerId, Member>();
  private presence: Presence = {};
  private version = 0;
  private lastPresenceSentAt = -Infinity;
  private presenceDirty = false;
  private stopped = false;

  constructor(options: FullMeshOptions) {
    this.selfId = options.selfId;
    this.throttleMs = options.presenceThrottleMs ?? 50;
    this.maxPresenceBytes = options.maxPresenceBytes ?? 16 * 1024;
  }

  handle(input: EngineInput, now: number): EngineOutput[] {
    if (this.stopped) return [];
    const out: EngineOutput[] = [];
    switch (input.type) {
      case 'start':
        break;
      case 'discovered':
        for (const peer of input.peers) {
          if (peer !== this.selfId && !this.links.has(peer)) out.push({ type: 'connect', peer });
        }
        break;
      case 'link-up':
        this.links.add(input.peer);
        out.push({ type: 'send', to: input.peer, bytes: this.encodePresence(Kind.HELLO) });
        break;
      case 'link-down':
        this.links.delete(input.peer);
        this.dropMember(input.peer, 'dead', out);
        break;
      case 'receive':
        this.receive(input.from, input.bytes, out);
        break;
      case 'timer':
        if (input.timer === PRESENCE_TIMER && this.presenceDirty) this.flushPresence(now, out);
        break;
      case 'set-presence':
        this.presence = input.presence;
        this.version += 1;
        this.presenceDirty = true;
        if (now - this.lastPresenceSentAt >= this.throttleMs) this.flushPresence(now, out);
        else out.push({ type: 'set-timer', timer: PRESENCE_TIMER, at: this.lastPresenceSentAt + this.throttleMs });
        break;
      case 'broadcast': {
        const bytes = encodePayload(Kind.DATA, input.payload);
        for (const peer of this.links) out.push({ type: 'send', to: peer, bytes });
        break;
      }
      case 'route':
        // Full mesh: every member is a neighbour, so routing is one hop.
        if (this.links.has(input.to)) out.push({ type: 'send', to: input.to, bytes: encodePayload(Kind.DIRECT, input.payload) });
        break;
      case 'leave': {
        const bye = Uint8Array.of(Kind.BYE);
        for (const peer of this.links) out.push({ type: 'send', to: peer, bytes: bye });
        for (const peer of this.links) out.push({ type: 'disconnect', peer });
        out.push({ type: 'clear-timer', timer: PRESENCE_TIMER });
        this.links.clear();
        this.members.clear();
        this.stopped = true;
        break;
      }
    }
    return out;
  }

  private flushPresence(now: number, out: EngineOutput[]): void {
    const bytes = this.encodePresence(Kind.PRESENCE);
    for (const peer of this.links) out.push({ type: 'send', to: peer, bytes });
    this.lastPresenceSentAt = now;
    this.presenceDirty = false;
  }

  private encodePresence(kind: number): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeUint8(encoder, kind);
    encoding.writeVarUint(encoder, this.version);
    encoding.writeVarString(encoder, JSON.stringify(this.presence));
    return encoding.toUint8Array(encoder);
  }

  private receive(from: PeerId, bytes: Uint8Array, out: EngineOutput[]): void {
    if (!this.links.has(from)) return;
    try {
      const decoder = decoding.createDecoder(bytes);
      const kind = decoding.readUint8(decoder);
      switch (kind) {
        case Kind.HELLO:
        case Kind.PRESENCE: {
          const version = decoding.readVarUint(decoder);
          const json = decoding.readVarString(decoder);
          if (json.length > this.maxPresenceBytes) throw new RangeError(`presence of ${json.length} bytes is over the limit`);
          const presence: unknown = JSON.parse(json);
          if (typeof presence !== 'object' || presence === null || Array.isArray(presence)) {
            throw new TypeError('presence must be a JSON object');
          }
          this.applyPresence(from, version, presence as Presence, out);
          break;
        }
        case Kind.BYE:
          this.links.delete(from);
          this.dropMember(from, 'left', out);
          out.push({ type: 'disconnect', peer: from });
          break;
        case Kind.DATA:
          if (this.members.get(from)?.joined) {
            out.push({ type: 'deliver', from, payload: decoding.readVarUint8Array(decoder) });
          }
          break;
        case Kind.DIRECT:
          if (this.members.get(from)?.joined) {
            out.push({ type: 'routed', from, payload: decoding.readVarUint8Array(decoder) });
          }
          break;
        default:
          throw new RangeError(`unknown frame kind ${kind}`);
      }
    } catch (error) {
      out.push({ type: 'malformed', from, code: ErrorCode.BAD_WIRE, message: (error as Error).message });
    }
  }

  private applyPresence(from: PeerId, version: number, presence: Presence, out: EngineOutput[]): void {
    const member = this.members.get(from);
    if (!member) {
      this.members.set(from, { version, presence, joined: true });
      out.push({ type: 'peer-join', peer: from, presence });
      return;
    }
    if (version <= member.version) return;
    member.version = version;
    member.presence = presence;
    out.push({ type: 'presence', peer: from, presence });
  }

  private dropMember(peer: PeerId, reason: 'left' | 'dead', out: EngineOutput[]): void {
    if (this.members.delete(peer)) out.push({ type: 'peer-leave', peer, reason });
  }
}
