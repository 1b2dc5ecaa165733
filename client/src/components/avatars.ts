/**
 * `<murmur-avatars>`: who is here. This tab first (marked "you"), then every
 * other peer, as coloured initials with the name on hover, and the room's
 * status as a dot and word. Set `.room` from JS. Attribute `max` (default 5)
 * folds the rest into "+N".
 */
import { LitElement, css, html, nothing } from 'lit';
import type { Room } from '../index.js';
import { initials, lookOf } from './peer-view.js';
import { RoomController } from './room-controller.js';

const STATUS_LABEL: Record<string, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  alone: 'Only you',
  disconnected: 'Offline',
  closed: 'Left',
};

export class MurmurAvatars extends LitElement {
  static override properties = { max: { type: Number } };

  static override styles = css`
    :host { display: inline-flex; align-items: center; gap: 10px; font: 13px/1.2 system-ui, sans-serif; color: inherit; }
    .stack { display: flex; align-items: center; }
    .avatar { width: 30px; height: 30px; border-radius: 50%; display: grid; place-items: center; color: #fff;
      font-weight: 650; font-size: 12px; border: 2px solid var(--murmur-avatar-ring, #fff); margin-left: -5px;
      box-shadow: 0 1px 2px rgb(0 0 0 / 0.2); position: relative; cursor: default; }
    .avatar:first-child { margin-left: 0; }
    .avatar[data-self]::after { content: ''; position: absolute; right: -2px; bottom: -2px; width: 9px; height: 9px;
      border-radius: 50%; background: var(--status-color); border: 2px solid var(--murmur-avatar-ring, #fff); }
    .more { background: #8b93a7; }
    .status { display: inline-flex; align-items: center; gap: 6px; color: var(--murmur-muted, #6b7280); white-space: nowrap; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--status-color); }
  `;

  declare max: number;
  private readonly rooms = new RoomController(this);

  constructor() {
    super();
    this.max = 5;
  }

  get room(): Room | null {
    return this.rooms.room;
  }

  set room(room: Room | null) {
    this.rooms.room = room;
  }

  override render() {
    const room = this.rooms.room;
    if (!room) return nothing;
    const status = room.status;
    const statusColor = status === 'connected' ? '#30a46c' : status === 'alone' ? '#0090ff' : status === 'connecting' ? '#f5a524' : '#8b93a7';
    const self = lookOf(room.selfId, room.presence.get());
    const peers = this.rooms.peers;
    const shown = peers.slice(0, Math.max(0, this.max - 1));
    const hidden = peers.length - shown.length;
    return html`
      <div class="stack" style="--status-color:${statusColor}">
        <span class="avatar" data-self data-peer=${room.selfId} title="${self.name} (you)" style="background:${self.color}">${initials(self.name)}</span>
        ${shown.map((peer) => {
          const look = lookOf(peer.id, peer.presence);
          return html`<span class="avatar" data-peer=${peer.id} title=${look.name} style="background:${look.color}">${initials(look.name)}</span>`;
        })}
        ${hidden > 0 ? html`<span class="avatar more" title="${hidden} more">+${hidden}</span>` : nothing}
      </div>
      <span class="status" data-status=${status} style="--status-color:${statusColor}"
        ><span class="dot"></span>${STATUS_LABEL[status] ?? status} · ${peers.length + 1} here</span
      >
    `;
  }
}
