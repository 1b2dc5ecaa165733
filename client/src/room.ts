/**
 * A Room is one tab's membership of one murmur room: the public face. It
 * checks the caller's arguments and hands everything else to the session
 * behind it (room-session.ts), which owns the engine, links and signaling.
 */
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { PeerId } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { checkMessage, type BroadcastOptions } from './app-message.js';
import { checkRoomId, resolveOptions, type JoinOptions } from './options.js';
import { RoomSession } from './room-session.js';
import type { PeerInfo, RoomDebug, RoomEvents, RoomPresence, RoomStats } from './room-types.js';
import type { RoomStatus } from './status.js';

export type { LeaveReason, PeerInfo, RoomDebug, RoomEvents, RoomPresence, RoomStats } from './room-types.js';

export class Room {
  readonly id: string;
  readonly selfId: PeerId;
  readonly presence: RoomPresence;
  readonly debug: RoomDebug;
  /** The shared Yjs document (options.doc, or a new one). */
  readonly doc: Y.Doc;
  /** Resolves once the stored doc (`persist`) is loaded and, if peers exist, one has answered a doc sync. */
  readonly whenSynced: Promise<void>;
  /** A y-protocols Awareness backed by murmur presence (key `awareness`, see client/CHANNELS.md). */
  readonly awareness: Awareness;
  private readonly session: RoomSession;

  constructor(roomId: unknown, rawOptions: unknown) {
    this.id = checkRoomId(roomId);
    const session = new RoomSession(this.id, resolveOptions(rawOptions), this);
    this.session = session;
    this.selfId = session.selfId;
    this.doc = session.doc;
    this.awareness = session.awareness;
    this.whenSynced = session.whenSynced;
    this.debug = session.debug;
    this.presence = {
      update: (patch) => {
        this.assertOpen();
        session.presence.update(patch);
      },
      get: () => session.presence.app(),
    };
  }

  /** See RoomStatus: 'connecting' | 'connected' | 'alone' | 'disconnected' | 'closed'. */
  get status(): RoomStatus {
    return this.session.status;
  }

  /**
   * Send an ephemeral app event to every other peer (or only `options.to`):
   * they get a 'message' event `{ from, topic, data, direct }`, once.
   */
  broadcast(topic: string, data: JsonValue | Uint8Array, options?: BroadcastOptions): void {
    this.assertOpen();
    this.session.send(checkMessage(topic, data, options, this.selfId));
  }

  stats(): RoomStats {
    return this.session.stats();
  }

  /** The other live peers in the room, by id. */
  get peers(): ReadonlyMap<PeerId, PeerInfo> {
    return this.session.members.view;
  }

  on<Name extends keyof RoomEvents & string>(name: Name, listener: (...args: RoomEvents[Name]) => void): () => void {
    return this.session.events.on(name, listener);
  }

  /** Say goodbye to every neighbour and free every link, timer and socket. Idempotent. */
  leave(): void {
    this.session.leave();
  }

  private assertOpen(): void {
    if (this.session.isClosed) throw new MurmurError(ErrorCode.ROOM_CLOSED, `room '${this.id}' was left; join again`);
  }
}

export function joinRoom(roomId: string, options: JoinOptions): Room {
  return new Room(roomId, options);
}
