/**
 * The board's data model on Yjs: `doc.getMap('notes')` maps a note id to a
 * Y.Map { text, x, y, color, author, created, lifted }; `lifted` (the time a
 * note was last dragged) stacks it above the others. x and y are fractions of the
 * board, so every window size shows the same layout. Each field is
 * last-writer-wins; concurrent edits to different notes never conflict.
 */
import type { Y as YNamespace } from '../src/standalone.js';

type Y = typeof YNamespace;
type YMap = InstanceType<Y['Map']>;
type YDoc = InstanceType<Y['Doc']>;

export interface Note {
  id: string;
  text: string;
  x: number;
  y: number;
  color: string;
  author: string;
  created: number;
  lifted: number;
}

export const NOTE_COLORS = ['#fff3b0', '#ffd6e0', '#d3ecff', '#d8f5d0', '#e7dcff'] as const;

const clamp = (value: number): number => (Number.isFinite(value) ? Math.min(0.98, Math.max(0, value)) : 0);

export function notesOf(doc: YDoc): YMap {
  return doc.getMap('notes') as YMap;
}

export function readNotes(doc: YDoc): Note[] {
  const notes: Note[] = [];
  for (const [id, value] of notesOf(doc).entries()) {
    const note = value as YMap;
    if (typeof note?.get !== 'function') continue;
    notes.push({
      id,
      text: String(note.get('text') ?? ''),
      x: Number(note.get('x') ?? 0),
      y: Number(note.get('y') ?? 0),
      color: String(note.get('color') ?? NOTE_COLORS[0]),
      author: String(note.get('author') ?? ''),
      created: Number(note.get('created') ?? 0),
      lifted: Number(note.get('lifted') ?? note.get('created') ?? 0),
    });
  }
  return notes.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
}

export function addNote(Yjs: Y, doc: YDoc, id: string, fields: Omit<Note, 'id' | 'lifted'>): void {
  doc.transact(() => {
    const note = new Yjs.Map<unknown>();
    note.set('text', fields.text);
    note.set('x', clamp(fields.x));
    note.set('y', clamp(fields.y));
    note.set('color', fields.color);
    note.set('author', fields.author);
    note.set('created', fields.created);
    notesOf(doc).set(id, note);
  });
}

function noteMap(doc: YDoc, id: string): YMap | null {
  const note = notesOf(doc).get(id) as YMap | undefined;
  return note && typeof note.get === 'function' ? note : null;
}

export function moveNote(doc: YDoc, id: string, x: number, y: number, lifted: number): void {
  const note = noteMap(doc, id);
  if (!note) return;
  doc.transact(() => {
    note.set('x', clamp(x));
    note.set('y', clamp(y));
    if (note.get('lifted') !== lifted) note.set('lifted', lifted);
  });
}

export function editNote(doc: YDoc, id: string, text: string): void {
  noteMap(doc, id)?.set('text', text);
}

export function recolorNote(doc: YDoc, id: string, color: string): void {
  noteMap(doc, id)?.set('color', color);
}

export function deleteNote(doc: YDoc, id: string): void {
  notesOf(doc).delete(id);
}
