/**
 * `room.status`: one word for "can I collaborate right now?".
 *
 *   connecting    no peer yet; the signaling server or a link handshake is still in progress
 *   connected     at least one other peer is live in the mesh (over an open link, or with the server up)
 *   alone         the server answered and nobody else is here (or no link is being made)
 *   disconnected  no open link and no signaling server answers (lost, or never reached: a wrong URL), even
 *                 while the member table still lists peers: this tab is cut off; retrying (unless every server
 *                 refused it for good: `signaling-refused`)
 *   closed        `leave()` was called
 *
 * The room re-derives it on every event that moves an input (a link up or
 * down, a signal that starts a handshake, a signaling status, a member in or
 * out), so no poll is needed.
 */
import type { SignalingStatus } from './signaling-client.js';

export type RoomStatus = 'connecting' | 'connected' | 'alone' | 'disconnected' | 'closed';

export interface StatusInputs {
  closed: boolean;
  members: number;
  signaling: SignalingStatus;
  /** Links in handshake, or open but not yet bringing a member (the room counts both). */
  linksConnecting: number;
  /** Of those, the open ones (HELLO and membership sync still under way). */
  linksOpen: number;
  /** Whether the server was ever reached in this room's life. */
  everReachedServer: boolean;
}

export function computeStatus(inputs: StatusInputs): RoomStatus {
  if (inputs.closed) return 'closed';
  // Members known but no open link and no server: cut off, whatever the
  // member table still says (the verdicts about them take seconds).
  if (inputs.members > 0) return inputs.linksOpen > 0 || inputs.signaling === 'open' ? 'connected' : 'disconnected';
  if (inputs.signaling === 'open') return inputs.linksConnecting > 0 ? 'connecting' : 'alone';
  if (inputs.linksOpen > 0) return 'connecting';
  // No server and no open link: a handshake has no path for its signals and
  // fails at once (the engine's redials of a cut-off tab), so it is no progress.
  if (inputs.everReachedServer || inputs.signaling === 'unreachable' || inputs.signaling === 'refused') return 'disconnected';
  return 'connecting';
}

/** Holds `room.status` and what it remembers across events (whether the server was ever reached). */
export class StatusTracker {
  private current: RoomStatus = 'connecting';
  private everReachedServer = false;

  get status(): RoomStatus {
    return this.current;
  }

  /** The signaling status moved. */
  signaling(status: SignalingStatus): void {
    if (status === 'open') this.everReachedServer = true;
  }

  /** Re-derive from the inputs now; the new status if it changed, else null. */
  update(inputs: Omit<StatusInputs, 'everReachedServer'>): RoomStatus | null {
    const next = computeStatus({ ...inputs, everReachedServer: this.everReachedServer });
    if (next === this.current) return null;
    this.current = next;
    return next;
  }
}
