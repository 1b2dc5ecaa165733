/**
 * `<murmur-board>`: sticky notes on a shared Yjs map. Anyone can add
 * (button or double-click), drag, edit and delete notes; the view re-renders
 * whenever the map changes, locally or from the room.
 */
import { LitElement, css, html, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { Y, type Room } from '../src/standalone.js';
import { NOTE_COLORS, addNote, deleteNote, editNote, moveNote, notesOf, readNotes, recolorNote } from './notes.js';

/** Re-renders the host on any change inside the notes map. */
class NotesController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly room: Room;
  private readonly onChange = () => this.host.requestUpdate();

  constructor(host: ReactiveControllerHost, room: Room) {
    this.host = host;
    this.room = room;
    host.addController(this);
  }

  hostConnected(): void {
    notesOf(this.room.doc).observeDeep(this.onChange);
  }

  hostDisconnected(): void {
    notesOf(this.room.doc).unobserveDeep(this.onChange);
  }
}

interface Drag {
  id: string;
  /** When this drag began: the note's stacking order while and after it moves. */
  lifted: number;
  pointer: number;
  dx: number;
  dy: number;
}

export class MurmurBoard extends LitElement {
  static override styles = css`
    :host { display: block; position: relative; overflow: hidden; border-radius: 14px; background-color: #fbfbfd;
      background-image: radial-gradient(#d5d9e3 1.2px, transparent 1.2px); background-size: 22px 22px;
      box-shadow: inset 0 0 0 1px #e4e7ee; }
    .surface { position: absolute; inset: 0; }
    .note { position: absolute; width: 190px; min-height: 132px; border-radius: 10px; display: flex; flex-direction: column;
      box-shadow: 0 1px 2px rgb(16 24 40 / 0.08), 0 6px 16px rgb(16 24 40 / 0.08); transition: box-shadow 120ms; }
    .note.dragging { box-shadow: 0 12px 28px rgb(16 24 40 / 0.18); z-index: 1000 !important; }
    .bar { display: flex; align-items: center; gap: 6px; padding: 6px 6px 0 10px; cursor: grab; touch-action: none; user-select: none; }
    .note.dragging .bar { cursor: grabbing; }
    .author { flex: 1; font-size: 11px; color: rgb(0 0 0 / 0.45); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .swatch { width: 12px; height: 12px; border-radius: 50%; border: 1px solid rgb(0 0 0 / 0.15); padding: 0; cursor: pointer; }
    .delete { border: 0; background: transparent; color: rgb(0 0 0 / 0.4); font-size: 16px; line-height: 1; cursor: pointer;
      width: 22px; height: 22px; border-radius: 6px; }
    .delete:hover { background: rgb(0 0 0 / 0.08); color: rgb(0 0 0 / 0.75); }
    textarea { flex: 1; margin: 2px 8px 10px; border: 0; resize: none; background: transparent; outline: none;
      font: 14px/1.45 system-ui, sans-serif; color: #1d2433; min-height: 92px; }
    .empty { position: absolute; inset: 0; display: grid; place-items: center; color: #8a93a6; pointer-events: none;
      font-size: 15px; text-align: center; }
  `;

  room!: Room;
  /** The name written on notes this tab adds. */
  author = '';
  private drag: Drag | null = null;

  override connectedCallback(): void {
    if (!this.room) throw new Error('<murmur-board> needs .room before it is connected');
    new NotesController(this, this.room);
    super.connectedCallback();
  }

  /** Add a note at fractions (x, y) of the board; returns its id. */
  add(x = 0.1 + Math.random() * 0.6, y = 0.1 + Math.random() * 0.6, text = ''): string {
    const id = `${this.room.selfId}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    const color = NOTE_COLORS[Math.floor(Math.random() * NOTE_COLORS.length)] as string;
    addNote(Y, this.room.doc, id, { text, x, y, color, author: this.author, created: Date.now() });
    return id;
  }

  /** Add a note and put the keyboard in it (so typing goes into the note, not to the button that made it). */
  addAndFocus(x?: number, y?: number): string {
    const id = this.add(x, y);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>(`[data-note="${id}"] textarea`)?.focus());
    return id;
  }

  private onDoubleClick(event: MouseEvent): void {
    if (event.target !== event.currentTarget) return;
    const box = this.getBoundingClientRect();
    this.addAndFocus((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
  }

  private onDragStart(event: PointerEvent, id: string): void {
    if ((event.target as HTMLElement).closest('button')) return;
    const note = (event.currentTarget as HTMLElement).closest<HTMLElement>('.note');
    if (!note) return;
    const box = note.getBoundingClientRect();
    this.drag = { id, lifted: Date.now(), pointer: event.pointerId, dx: event.clientX - box.left, dy: event.clientY - box.top };
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    this.requestUpdate();
  }

  private onDragMove(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    const box = this.getBoundingClientRect();
    const note = (event.currentTarget as HTMLElement).closest<HTMLElement>('.note');
    // Keep the whole note on the board, whatever the window size.
    const maxX = note ? Math.max(0, 1 - note.offsetWidth / box.width) : 0.9;
    const maxY = note ? Math.max(0, 1 - note.offsetHeight / box.height) : 0.9;
    const x = Math.min(maxX, Math.max(0, (event.clientX - drag.dx - box.left) / box.width));
    const y = Math.min(maxY, Math.max(0, (event.clientY - drag.dy - box.top) / box.height));
    moveNote(this.room.doc, drag.id, x, y, drag.lifted);
  }

  private onDragEnd(event: PointerEvent): void {
    if (this.drag?.pointer !== event.pointerId) return;
    this.drag = null;
    this.requestUpdate();
  }

  override render() {
    const notes = readNotes(this.room.doc);
    // DOM order stays creation order (stable for tests); the last-dragged note draws on top. Keyed by
    // id: a note that arrives and sorts before others must not take over their elements (the textarea
    // someone is typing in would switch to another note under their keys).
    const stacking = new Map([...notes].sort((a, b) => a.lifted - b.lifted || (a.id < b.id ? -1 : 1)).map((note, rank) => [note.id, rank]));
    return html`
      <div class="surface" @dblclick=${this.onDoubleClick}></div>
      ${notes.length === 0 ? html`<div class="empty">Double-click anywhere, or press “Add note”, to start.</div>` : null}
      ${repeat(
        notes,
        (note) => note.id,
        (note) => html`<div
          class="note ${this.drag?.id === note.id ? 'dragging' : ''}"
          data-note=${note.id}
          style="left:${note.x * 100}%;top:${note.y * 100}%;background:${note.color};z-index:${(stacking.get(note.id) ?? 0) + 1}"
        >
          <div
            class="bar"
            @pointerdown=${(e: PointerEvent) => this.onDragStart(e, note.id)}
            @pointermove=${this.onDragMove}
            @pointerup=${this.onDragEnd}
            @pointercancel=${this.onDragEnd}
          >
            <span class="author">${note.author}</span>
            ${NOTE_COLORS.filter((c) => c !== note.color)
              .slice(0, 2)
              .map(
                (c) =>
                  html`<button class="swatch" title="Recolour" style="background:${c}" @click=${() => recolorNote(this.room.doc, note.id, c)}></button>`,
              )}
            <button class="delete" title="Delete note" aria-label="Delete note" @click=${() => deleteNote(this.room.doc, note.id)}>×</button>
          </div>
          <textarea
            placeholder="Write something…"
            .value=${live(note.text)}
            @input=${(e: InputEvent) => editNote(this.room.doc, note.id, (e.target as HTMLTextAreaElement).value)}
          ></textarea>
        </div>`,
      )}
    `;
  }
}

customElements.define('murmur-board', MurmurBoard);
