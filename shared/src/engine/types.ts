/**
 * The sans-IO engine interface: `engine.handle(input, now) → outputs`.
 *
 * An engine is a pure state machine. It never reads a clock (the driver
 * passes `now`, milliseconds on any monotonic scale), never schedules
 * anything itself (it returns `set-timer` outputs and receives `timer`
 * inputs), never opens sockets (it returns `connect`/`send` and receives
 * `link-up`/`receive`) and draws randomness only from the Prng it is given.
 * Drivers — the browser client, the Node peer, the simulator — own the I/O.
 */
import type { ErrorCode } from '../errors.js';
import type { JsonValue } from '../signaling.js';

export type PeerId = string;

/** A peer's presence: a JSON object, replaced wholesale (last writer wins). */
export type Presence = { readonly [key: string]: JsonValue };

export type EngineInput =
  /** Begin: the engine arms its timers. Given once, first. */
  | { type: 'start' }
  /** Peers learned out of band (the signaling server's sample): candidates to link to. */
  | { type: 'discovered'; peers: readonly PeerId[] }
  /** A data channel to `peer` is open (whoever initiated it). */
  | { type: 'link-up'; peer: PeerId }
  /** The data channel to `peer` closed or failed. */
  | { type: 'link-down'; peer: PeerId }
  /** Bytes arrived from a neighbour. Untrusted: the engine bounds-checks them. */
  | { type: 'receive'; from: PeerId; bytes: Uint8Array }
  /** A timer the engine asked for is due. */
  | { type: 'timer'; timer: string }
  /** The app replaced this peer's presence. */
  | { type: 'set-presence'; presence: Presence }
  /** The app publishes an opaque payload to every peer in the room. */
  | { type: 'broadcast'; payload: Uint8Array }
  /** The app leaves: say goodbye to everyone, then stop. */
  | { type: 'leave' }
  /** Send an opaque payload to one peer, neighbour or not (relayed signaling, direct messages). */
  | { type: 'route'; to: PeerId; payload: Uint8Array }
  /**
   * Whether this tab is in the room on at least one signaling server now. Until told, an engine assumes
   * it is. While it is not, a dial's offer and answer can only travel over the mesh, so a dial that
   * fails says little about the peer at the other end.
   */
  | { type: 'signaling'; joined: boolean };

export type EngineOutput =
  /** Send bytes on the open link to `to`. */
  | { type: 'send'; to: PeerId; bytes: Uint8Array }
  /** Open a link to `peer` (the driver negotiates it and later gives `link-up`). */
  | { type: 'connect'; peer: PeerId }
  /** Close the link to `peer`. */
  | { type: 'disconnect'; peer: PeerId }
  /** Deliver `{ type: 'timer', timer }` at time `at` (same scale as `now`); re-arming replaces. */
  | { type: 'set-timer'; timer: string; at: number }
  | { type: 'clear-timer'; timer: string }
  /** A link joined this node's active view (after its HELLO/WELCOME): a direct neighbour, for app-level sync. */
  | { type: 'neighbor-up'; peer: PeerId }
  /** A neighbour left this node's active view. */
  | { type: 'neighbor-down'; peer: PeerId }
  /** A peer is now a member of the room as far as this node knows. */
  | { type: 'peer-join'; peer: PeerId; presence: Presence }
  /** A peer left (said goodbye) or was declared dead. */
  | { type: 'peer-leave'; peer: PeerId; reason: 'left' | 'dead' }
  /** A member's presence changed. */
  | { type: 'presence'; peer: PeerId; presence: Presence }
  /** An app broadcast arrived, once per message. */
  | { type: 'deliver'; from: PeerId; payload: Uint8Array }
  /** A `route` payload addressed to this peer arrived. */
  | { type: 'routed'; from: PeerId; payload: Uint8Array }
  /** Bytes from `from` were dropped as undecodable; counted, never thrown. */
  | { type: 'malformed'; from: PeerId; code: ErrorCode; message: string };

export interface Engine {
  readonly selfId: PeerId;
  handle(input: EngineInput, now: number): EngineOutput[];
}
