/**
 * `room.status`: one word for "can I collaborate right now?".
 *
 *   connecting    no peer yet; the signaling server or a link handshake is still in progress
 *   connected     at least one other peer is live in the mesh (with or without the server)
 *   alone         the server answered and nobody else is here (or no link is being made)
 *   disconnected  no peer, and no signaling server answers (lost, or never reached: a wrong URL); retrying
 *   closed        `leave()` was called
 */
import type { SignalingStatus } from './signaling-client.js';

export type RoomStatus = 'connecting' | 'connected' | 'alone' | 'disconnected' | 'closed';

export interface StatusInputs {
  closed: boolean;
  members: number;
  signaling: SignalingStatus;
  /** Links in handshake, or open but not yet bringing a member (the room counts both). */
  linksConnecting: number;
  /** Whether the server was ever reached in this room's life. */
  everReachedServer: boolean;
}

export function computeStatus(inputs: StatusInputs): RoomStatus {
  if (inputs.closed) return 'closed';
  if (inputs.members > 0) return 'connected';
  if (inputs.linksConnecting > 0) return 'connecting';
  if (inputs.signaling === 'open') return 'alone';
  return inputs.everReachedServer || inputs.signaling === 'unreachable' ? 'disconnected' : 'connecting';
}
