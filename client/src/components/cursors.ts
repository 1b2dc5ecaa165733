/**
 * `<murmur-cursors target="#board">`: everyone else's live cursor with a
 * name label, drawn over the target element (default: the whole page), and
 * this tab's pointer shared while it is over the target. Set `.room` from JS.
 * Attribute `passive`: draw only, do not publish this tab's pointer.
 */
import { LitElement, css, html, nothing } from 'lit';
import type { PeerInfo, Room } from '../index.js';
import { cursorOf, lookOf } from './peer-view.js';
import { PointerController } from './pointer-controller.js';
import { RoomController } from './room-controller.js';

export class MurmurCursors extends LitElement {
  static override properties = {
    target: { type: String },
    passive: { type: Boolean },
  };

  static override styles = css`
    :host { position: fixed; inset: 0; pointer-events: none; z-index: 2147483000; overflow: hidden; contain: strict; }
    .cursor { position: absolute; left: 0; top: 0; will-change: transform; transition: transform 90ms linear; }
    svg { display: block; filter: drop-shadow(0 1px 1px rgb(0 0 0 / 0.25)); }
    .label { position: absolute; left: 14px; top: 18px; padding: 2px 7px; border-radius: 8px; color: #fff;
      font: 600 12px/1.4 system-ui, sans-serif; white-space: nowrap; box-shadow: 0 1px 2px rgb(0 0 0 / 0.2); }
  `;

  /** CSS selector of the element cursors are relative to. Default: the whole document. */
  declare target: string | undefined;
  declare passive: boolean;
  private targetElementValue: Element | null = null;
  private readonly rooms = new RoomController(this);
  private readonly pointer = new PointerController(this, {
    target: () => this.resolveTarget(),
    room: () => this.rooms.room,
    publish: () => !this.passive,
  });

  constructor() {
    super();
    this.target = undefined;
    this.passive = false;
  }

  get room(): Room | null {
    return this.rooms.room;
  }

  set room(room: Room | null) {
    this.rooms.room = room;
  }

  /** The element cursors are relative to, when set directly (wins over `target`). */
  get targetElement(): Element | null {
    return this.resolveTarget();
  }

  set targetElement(element: Element | null) {
    this.targetElementValue = element;
    this.pointer.retarget();
    this.requestUpdate();
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('target')) this.pointer.retarget();
  }

  private resolveTarget(): Element | null {
    if (this.targetElementValue) return this.targetElementValue;
    if (this.target) return document.querySelector(this.target);
    return document.documentElement;
  }

  private renderCursor(peer: PeerInfo, box: DOMRect) {
    const cursor = cursorOf(peer.presence);
    if (!cursor) return nothing;
    const { name, color } = lookOf(peer.id, peer.presence);
    const x = box.left + cursor.x * box.width;
    const y = box.top + cursor.y * box.height;
    return html`<div class="cursor" data-peer=${peer.id} style="transform: translate(${x}px, ${y}px)">
      <svg width="20" height="22" viewBox="0 0 20 22" aria-hidden="true">
        <path d="M2 2l15.5 9.6-7 1.6-3.6 6.7z" fill=${color} stroke="#fff" stroke-width="1.6" stroke-linejoin="round" />
      </svg>
      <span class="label" style="background:${color}">${name}</span>
    </div>`;
  }

  override render() {
    const target = this.resolveTarget();
    if (!target || !this.rooms.room) return nothing;
    const box = target.getBoundingClientRect();
    return html`${this.rooms.peers.map((peer) => this.renderCursor(peer, box))}`;
  }
}
