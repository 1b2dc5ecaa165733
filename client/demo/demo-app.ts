/**
 * The demo: everyone in `?room=` (default "lobby") sees who is here and
 * everyone's live cursor over a shared board. Presence carries a name, a
 * colour and the cursor as fractions of the board, so windows of different
 * sizes line up.
 */
import { LitElement, css, html, nothing } from 'lit';
import { joinRoom, type PeerInfo, type Room } from '../src/index.js';
import { RoomController } from './room-controller.js';

const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Badger', 'Falcon', 'Marten', 'Ibis', 'Puffin', 'Gecko', 'Bison', 'Koala', 'Newt'];
const ADJECTIVES = ['Amber', 'Swift', 'Quiet', 'Bright', 'Brave', 'Lucky', 'Misty', 'Sunny', 'Witty', 'Calm'];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

interface Cursor {
  x: number;
  y: number;
}

function cursorOf(peer: PeerInfo): Cursor | null {
  const cursor = peer.presence.cursor as { x?: unknown; y?: unknown } | null | undefined;
  if (!cursor || typeof cursor.x !== 'number' || typeof cursor.y !== 'number') return null;
  return { x: cursor.x, y: cursor.y };
}

const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

export class MurmurDemo extends LitElement {
  static override styles = css`
    :host { display: grid; grid-template-columns: 1fr 260px; gap: 16px; height: 100vh; padding: 16px;
      box-sizing: border-box; font: 14px/1.4 system-ui, sans-serif; color: #1d2433; background: #f4f6fb; }
    .board { position: relative; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px #0002;
      overflow: hidden; cursor: crosshair; }
    .hint { position: absolute; inset: auto 0 16px 0; text-align: center; color: #8a93a6; pointer-events: none; }
    .cursor { position: absolute; pointer-events: none; transition: left 80ms linear, top 80ms linear; }
    .cursor svg { display: block; }
    .cursor span { position: absolute; left: 14px; top: 16px; padding: 1px 6px; border-radius: 6px; color: #fff;
      font-size: 12px; white-space: nowrap; }
    aside { background: #fff; border-radius: 12px; box-shadow: 0 1px 3px #0002; padding: 16px; overflow: auto; }
    h2 { margin: 0 0 4px; font-size: 15px; }
    .room { color: #8a93a6; margin-bottom: 12px; word-break: break-all; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: flex; align-items: center; gap: 8px; padding: 6px 0; }
    .dot { width: 12px; height: 12px; border-radius: 50%; flex: none; }
    .you { color: #8a93a6; font-size: 12px; }
  `;

  private readonly room: Room;
  private readonly controller: RoomController;

  constructor() {
    super();
    const params = new URLSearchParams(location.search);
    const roomId = params.get('room') || 'lobby';
    const signaling = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
    this.room = joinRoom(roomId, {
      signaling,
      presence: { name: params.get('name') || `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: `hsl(${Math.floor(Math.random() * 360)} 70% 45%)` },
    });
    this.controller = new RoomController(this, this.room);
    // Tests and curious developers reach the room from the console.
    (globalThis as { murmurRoom?: Room }).murmurRoom = this.room;
  }

  private onMove(event: PointerEvent): void {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const x = (event.clientX - box.left) / box.width;
    const y = (event.clientY - box.top) / box.height;
    this.room.presence.update({ cursor: { x: Math.round(x * 10_000) / 10_000, y: Math.round(y * 10_000) / 10_000 } });
  }

  private onLeave(): void {
    this.room.presence.update({ cursor: null });
  }

  private renderCursor(peer: PeerInfo) {
    const cursor = cursorOf(peer);
    if (!cursor) return nothing;
    const color = text(peer.presence.color, '#555');
    return html`<div class="cursor" data-peer=${peer.id} style="left:${cursor.x * 100}%;top:${cursor.y * 100}%">
      <svg width="18" height="22" viewBox="0 0 18 22"><path d="M1 1l15 10-7 1.5L5.5 20z" fill=${color} stroke="#fff" stroke-width="1.5"/></svg>
      <span style="background:${color}">${text(peer.presence.name, peer.id)}</span>
    </div>`;
  }

  override render() {
    const peers = this.controller.peers;
    const self = this.room.presence.get();
    return html`
      <div class="board" @pointermove=${this.onMove} @pointerleave=${this.onLeave}>
        ${peers.map((peer) => this.renderCursor(peer))}
        <div class="hint">Move your pointer here. Open this page in another window to see each other.</div>
      </div>
      <aside>
        <h2>Here now (${peers.length + 1})</h2>
        <div class="room">room <b>${this.room.id}</b></div>
        <ul class="people">
          <li data-self>
            <span class="dot" style="background:${text(self.color, '#555')}"></span>${text(self.name, 'you')}
            <span class="you">(you)</span>
          </li>
          ${peers.map(
            (peer) => html`<li data-peer=${peer.id}>
              <span class="dot" style="background:${text(peer.presence.color, '#555')}"></span>${text(peer.presence.name, peer.id)}
            </li>`,
          )}
        </ul>
      </aside>
    `;
  }
}

customElements.define('murmur-demo', MurmurDemo);
