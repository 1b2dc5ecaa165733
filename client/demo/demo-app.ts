/**
 * The demo: a collaborative board. Everyone in `?room=` (default "lobby")
 * edits the same sticky notes (a Yjs map), sees everyone's live cursor and
 * who is here, and can open the mesh inspector. `?name=` sets your name,
 * `?inspector=1` opens the inspector at start.
 *
 * It uses only the published bundles, as a user's page would: the client
 * from /dist/murmur.js, the elements from /dist/murmur-components.js.
 */
import { LitElement, css, html } from 'lit';
import '../src/components/index.js';
import type { MurmurCursors } from '../src/components/index.js';
import { joinRoom, type Room } from '../src/standalone.js';
import './board.js';
import type { MurmurBoard } from './board.js';

const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Badger', 'Falcon', 'Marten', 'Ibis', 'Puffin', 'Gecko', 'Bison', 'Koala', 'Newt'];
const ADJECTIVES = ['Amber', 'Swift', 'Quiet', 'Bright', 'Brave', 'Lucky', 'Misty', 'Sunny', 'Witty', 'Calm'];
const COLORS = ['#e5484d', '#f76b15', '#d6409f', '#46a758', '#12a594', '#0090ff', '#6e56cf', '#ab4aba'];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}

export class MurmurDemo extends LitElement {
  static override properties = { inspectorOpen: { state: true } };

  static override styles = css`
    :host { display: flex; flex-direction: column; height: 100vh; box-sizing: border-box;
      font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2433; background: #f3f4f8; }
    header { display: flex; align-items: center; gap: 14px; padding: 10px 18px; background: #fff;
      border-bottom: 1px solid #e4e7ee; }
    .brand { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 16px; letter-spacing: -0.01em; }
    .logo { width: 22px; height: 22px; border-radius: 7px; background: linear-gradient(135deg, #6e56cf, #0090ff); }
    .room { padding: 3px 10px; border-radius: 999px; background: #f0f1f6; color: #5b6478; font-size: 13px; }
    .room b { color: #1d2433; font-weight: 600; }
    .spacer { flex: 1; }
    button { font: inherit; border-radius: 8px; padding: 7px 12px; cursor: pointer; border: 1px solid #d9dce5;
      background: #fff; color: #1d2433; }
    button:hover { background: #f6f7fb; }
    button.primary { background: #1d2433; color: #fff; border-color: #1d2433; }
    button.primary:hover { background: #2e3850; }
    button[aria-pressed='true'] { background: #eceefe; border-color: #b7bff5; color: #3b46b8; }
    main { flex: 1; display: flex; gap: 14px; padding: 14px; min-height: 0; }
    murmur-board { flex: 1; min-width: 0; }
    aside { width: 330px; flex: none; background: #fff; border-radius: 14px; box-shadow: inset 0 0 0 1px #e4e7ee;
      padding: 14px 16px; overflow: auto; }
    aside h2 { margin: 0 0 2px; font-size: 14px; }
    aside p { margin: 0 0 8px; color: #6b7280; font-size: 12px; }
    .join-error { margin: auto; max-width: 560px; padding: 16px 20px; border-radius: 12px; background: #fff1f0; color: #8a1c12; }
  `;

  declare inspectorOpen: boolean;
  private readonly room: Room | null = null;
  /** Why there is no room (a bad ?room=, say): shown on the page, not only in the console. */
  private readonly joinError: string | null = null;
  private readonly name: string;

  constructor() {
    super();
    const params = new URLSearchParams(location.search);
    const roomId = params.get('room') || 'lobby';
    this.name = params.get('name') || `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
    this.inspectorOpen = params.get('inspector') === '1';
    const signaling = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/signal`;
    try {
      this.room = joinRoom(roomId, { signaling, presence: { name: this.name, color: pick(COLORS) } });
    } catch (error) {
      this.joinError = (error as Error).message;
      return;
    }
    // y-* bindings read `user` from awareness: the demo sets it too, as a y-codemirror page would.
    this.room.awareness.setLocalStateField('user', { name: this.name, color: this.room.presence.get().color });
    // Tests and curious developers reach the room from the console.
    (globalThis as { murmurRoom?: Room }).murmurRoom = this.room;
  }

  override firstUpdated(): void {
    const board = this.renderRoot.querySelector<MurmurBoard>('murmur-board');
    const cursors = this.renderRoot.querySelector<MurmurCursors>('murmur-cursors');
    if (cursors && board) cursors.targetElement = board;
  }

  private board(): MurmurBoard | null {
    return this.renderRoot.querySelector<MurmurBoard>('murmur-board');
  }

  override render() {
    if (!this.room) {
      return html`<main><p class="join-error" role="alert">Cannot join this room: ${this.joinError}. Pick another with
        <code>?room=NAME</code> (1-64 letters, digits and <code>- _ . :</code>).</p></main>`;
    }
    return html`
      <header>
        <div class="brand"><span class="logo"></span>murmur board</div>
        <span class="room">room <b>${this.room.id}</b></span>
        <span class="spacer"></span>
        <murmur-avatars .room=${this.room}></murmur-avatars>
        <button class="primary" data-action="add" @click=${() => this.board()?.addAndFocus()}>+ Add note</button>
        <button data-action="inspector" aria-pressed=${this.inspectorOpen} @click=${() => (this.inspectorOpen = !this.inspectorOpen)}>
          Inspector
        </button>
      </header>
      <main>
        <murmur-board .room=${this.room} .author=${this.name}></murmur-board>
        ${this.inspectorOpen
          ? html`<aside>
              <h2>Mesh</h2>
              <p>Live view from this tab: links, round trips, traffic.</p>
              <murmur-inspector .room=${this.room}></murmur-inspector>
            </aside>`
          : null}
      </main>
      <murmur-cursors .room=${this.room}></murmur-cursors>
    `;
  }
}

customElements.define('murmur-demo', MurmurDemo);
