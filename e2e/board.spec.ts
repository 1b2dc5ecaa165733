/**
 * The room API in real browsers, on the demo board: three users edit
 * concurrently and converge; y-protocols awareness lists everyone; a
 * broadcast reaches every other user exactly once; a late joiner (a page
 * that uses only `room.awareness`) receives the full document and is seen
 * by everyone. The suite also takes the README's screenshots.
 */
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './fixtures.js';

const shots = join(fileURLToPath(import.meta.url), '..', '..', 'docs', 'screenshots');

interface Handle {
  murmurRoom: {
    selfId: string;
    peers: Map<string, unknown>;
    doc: { getMap(name: string): { toJSON(): unknown } };
    awareness: { getStates(): Map<number, { user?: { name?: string } }> };
    broadcast(topic: string, data: unknown): void;
    on(name: 'message', cb: (m: { from: string; topic: string; data: unknown }) => void): () => void;
  };
  received?: Array<{ from: string; topic: string; data: unknown }>;
}

/** The notes map as canonical JSON (key order differs between peers). */
const notesJson = (page: Page) =>
  page.evaluate(() => {
    const canon = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canon(x)]))
        : v;
    return JSON.stringify(canon((globalThis as unknown as Handle).murmurRoom.doc.getMap('notes').toJSON()));
  });

const awarenessNames = (page: Page) =>
  page.evaluate(() =>
    [...(globalThis as unknown as Handle).murmurRoom.awareness.getStates().values()].map((s) => s.user?.name ?? '?').sort(),
  );

/** The parts of the page's room (and its Y.Doc's store) that describeRooms reads. */
interface DebugRoom {
  selfId: string;
  doc: {
    getMap(name: string): { toJSON(): Record<string, { text?: string }> };
    store: { clients: Map<number, Array<{ id: { clock: number }; length: number }>>; pendingStructs: unknown; pendingDs: unknown };
  };
  stats(): { doc: unknown };
  debug: {
    links(): Array<{ peer: string; state: string; createdAt: number; openedAt: number | null }>;
    snapshot(): { active: string[]; eager: string[]; lazy: string[]; tree: unknown; members: Array<{ peer: string; status: string; incarnation: number }>; stats: Record<string, number> };
  };
}

/**
 * What each page holds, for a failure message: its notes, Yjs state vector
 * and pending updates, doc-sync counters, links and the engine's broadcast
 * counters and members. A missing edit then says whether it never left its
 * author, was lost on the way, or sits in a Yjs pending queue.
 */
async function describeRooms(pages: readonly Page[], errors: readonly string[][]): Promise<string> {
  const lines = await Promise.all(
    pages.map(async (page, i) => {
      const state = await page.evaluate(() => {
        const room = (globalThis as unknown as { murmurRoom: DebugRoom }).murmurRoom;
        const vector: Record<string, number> = {};
        for (const [client, structs] of room.doc.store.clients) {
          const last = structs[structs.length - 1];
          if (last) vector[String(client)] = last.id.clock + last.length;
        }
        const notes = Object.fromEntries(Object.entries(room.doc.getMap('notes').toJSON()).map(([id, note]) => [id, note.text ?? '?']));
        const engine = room.debug.snapshot();
        const counters = ['duplicates', 'staleNotRelayed', 'resends', 'pullsServed', 'linkFailures', 'malformed'].map((name) => `${name} ${engine.stats[name] ?? '-'}`).join(', ');
        return {
          selfId: room.selfId,
          notes,
          vector,
          pending: room.doc.store.pendingStructs !== null || room.doc.store.pendingDs !== null,
          doc: room.stats().doc,
          links: room.debug.links().map((l) => `${l.peer.slice(0, 6)} ${l.state} created ${Math.round(l.createdAt)} opened ${l.openedAt === null ? '-' : Math.round(l.openedAt)}`),
          engine: { active: engine.active, eager: engine.eager, lazy: engine.lazy, tree: engine.tree, members: engine.members.map((m) => `${m.peer.slice(0, 6)} ${m.status}@${m.incarnation}`), counters },
        };
      });
      return `page ${i} (${state.selfId}): ${JSON.stringify(state)}${errors[i]!.length > 0 ? `\n  page errors: ${errors[i]!.join(' | ')}` : ''}`;
    }),
  );
  return lines.join('\n');
}

/** Polls `read` until it returns a non-empty string; a timeout explains every page. */
async function waitForNonEmpty(read: () => Promise<string>, what: string, pages: readonly Page[], errors: readonly string[][]): Promise<string> {
  try {
    await expect.poll(read, { timeout: 20_000 }).not.toBe('');
  } catch (error) {
    throw new Error(`${what} never arrived (${(error as Error).message.split('\n')[0]})\n${await describeRooms(pages, errors)}`);
  }
  return read();
}

async function addNote(page: Page, text: string): Promise<void> {
  const self = await page.evaluate(() => (globalThis as unknown as Handle).murmurRoom.selfId);
  // Notes are created in order, and a note's id starts with its creator's peer id.
  const mine = page.locator(`murmur-board .note[data-note^="${self}-"]`);
  const before = await mine.count();
  await page.locator('button[data-action="add"]').click();
  await expect(mine).toHaveCount(before + 1);
  await mine.last().locator('textarea').fill(text);
}

test('three users edit the board concurrently and converge; awareness, broadcast, late joiner', async ({ browser, demo }) => {
  const room = `board-${Date.now().toString(36)}`;
  const names = ['Ann', 'Bob', 'Cat'];
  const contexts = await Promise.all(names.map(() => browser.newContext({ viewport: { width: 1280, height: 800 } })));
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  // Uncaught errors and console errors per page, quoted when a wait fails (last 10).
  const errors = pages.map((page) => {
    const list: string[] = [];
    const keep = (text: string): void => {
      list.push(text);
      if (list.length > 10) list.shift();
    };
    page.on('pageerror', (error) => keep(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') keep(message.text());
    });
    return list;
  });
  await Promise.all(pages.map((page, i) => page.goto(`${demo.pageUrl}?room=${room}&name=${names[i]}${i === 0 ? '&inspector=1' : ''}`)));
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as Handle).murmurRoom.peers.size), { timeout: 30_000 }).toBe(2);
  }

  // Round 1, all at once: each user adds notes through the UI.
  await Promise.all([
    (async () => {
      await addNote(pages[0]!, 'Ship the room API');
      await addNote(pages[0]!, 'Write the README');
    })(),
    addNote(pages[1]!, 'Cursors feel smooth'),
    addNote(pages[2]!, 'Inspector shows RTT'),
  ]);
  for (const page of pages) await expect(page.locator('murmur-board .note')).toHaveCount(4);

  // Round 2, all at once on shared notes: Bob edits Ann's first note, Cat deletes
  // Ann's second, Ann drags Bob's note across the board.
  const idOf = (page: Page, text: string) =>
    page.evaluate((wanted) => {
      const notes = (globalThis as unknown as Handle).murmurRoom.doc.getMap('notes').toJSON() as Record<string, { text: string }>;
      return Object.entries(notes).find(([, note]) => note.text === wanted)?.[0] ?? '';
    }, text);
  const shipId = await waitForNonEmpty(() => idOf(pages[1]!, 'Ship the room API'), "Ann's 'Ship the room API' at Bob", pages, errors);
  const readmeId = await waitForNonEmpty(() => idOf(pages[2]!, 'Write the README'), "Ann's 'Write the README' at Cat", pages, errors);
  const cursorsId = await waitForNonEmpty(() => idOf(pages[0]!, 'Cursors feel smooth'), "Bob's 'Cursors feel smooth' at Ann", pages, errors);
  await Promise.all([
    pages[1]!.locator(`murmur-board [data-note="${shipId}"] textarea`).fill('Ship the room API (edited by Bob)'),
    pages[2]!.locator(`murmur-board [data-note="${readmeId}"] .delete`).click(),
    (async () => {
      const bar = pages[0]!.locator(`murmur-board [data-note="${cursorsId}"] .bar`);
      const box = (await bar.boundingBox())!;
      await pages[0]!.mouse.move(box.x + 40, box.y + 8);
      await pages[0]!.mouse.down();
      await pages[0]!.mouse.move(box.x + 260, box.y + 180, { steps: 8 });
      await pages[0]!.mouse.up();
    })(),
  ]);

  // Everyone converges to the same document, and the board shows it.
  await expect.poll(async () => new Set(await Promise.all(pages.map(notesJson))).size, { timeout: 15_000 }).toBe(1);
  const final = JSON.parse(await notesJson(pages[0]!)) as Record<string, { text: string; x: number }>;
  expect(Object.keys(final)).toHaveLength(3);
  expect(final[shipId]?.text).toBe('Ship the room API (edited by Bob)');
  expect(final[readmeId]).toBeUndefined();
  expect(final[cursorsId]?.x).toBeGreaterThan(0);
  for (const page of pages) await expect(page.locator('murmur-board .note')).toHaveCount(3);

  // y-protocols awareness on each page lists all three users.
  for (const page of pages) await expect.poll(() => awarenessNames(page)).toEqual(names);

  // A broadcast reaches every other user exactly once. Each user sends one
  // 'hello' then one 'fence'; links are ordered, so once both fences are in,
  // any duplicate hello would be in too.
  await Promise.all(
    pages.map((page) =>
      page.evaluate(() => {
        const handle = globalThis as unknown as Handle;
        handle.received = [];
        handle.murmurRoom.on('message', (m) => handle.received!.push(m));
      }),
    ),
  );
  await Promise.all(
    pages.map((page) =>
      page.evaluate(() => {
        const { murmurRoom } = globalThis as unknown as Handle;
        murmurRoom.broadcast('hello', { from: murmurRoom.selfId });
        murmurRoom.broadcast('fence', null);
      }),
    ),
  );
  const ids = await Promise.all(pages.map((page) => page.evaluate(() => (globalThis as unknown as Handle).murmurRoom.selfId)));
  for (const [i, page] of pages.entries()) {
    const fences = () => page.evaluate(() => (globalThis as unknown as Handle).received!.filter((m) => m.topic === 'fence').length);
    await expect.poll(fences).toBe(2);
    const hellos = await page.evaluate(() => (globalThis as unknown as Handle).received!.filter((m) => m.topic === 'hello').map((m) => m.from));
    expect(hellos.sort()).toEqual(ids.filter((_, j) => j !== i).sort());
  }

  // Screenshots for the README: cursors spread over the board, inspector open on Ann's page.
  const spots = [
    { x: 0.62, y: 0.35 },
    { x: 0.3, y: 0.7 },
    { x: 0.8, y: 0.75 },
  ];
  for (const [i, page] of pages.entries()) {
    const box = (await page.locator('murmur-board').boundingBox())!;
    await page.mouse.move(box.x + box.width * spots[i]!.x - 6, box.y + box.height * spots[i]!.y - 6);
    await page.mouse.move(box.x + box.width * spots[i]!.x, box.y + box.height * spots[i]!.y, { steps: 2 });
  }
  for (const [i, page] of pages.entries()) {
    for (const [j, id] of ids.entries()) if (i !== j) await expect(page.locator(`murmur-cursors .cursor[data-peer="${id}"]`)).toBeVisible();
  }
  await expect(pages[0]!.locator('murmur-inspector tr[data-peer]')).toHaveCount(2);
  await expect(pages[0]!.locator('murmur-inspector td.num').first()).toContainText('ms');
  await pages[0]!.screenshot({ path: join(shots, 'board-ann-inspector.png') });
  await pages[1]!.screenshot({ path: join(shots, 'board-bob.png') });

  // A late joiner that uses only room.awareness gets the full document and
  // is listed by everyone, and lists everyone.
  const lateContext = await browser.newContext({ viewport: { width: 800, height: 500 } });
  const late = await lateContext.newPage();
  await late.goto(`${demo.pageUrl}dist/awareness.html?room=${room}&name=Dan`);
  await expect.poll(() => notesJson(late), { timeout: 20_000 }).toBe(await notesJson(pages[0]!));
  await expect(late.locator('#users li')).toHaveCount(4);
  for (const page of [...pages, late]) await expect.poll(() => awarenessNames(page)).toEqual([...names, 'Dan']);
  await late.screenshot({ path: join(shots, 'awareness-only.png') });

  // Typing stays in the note that has the focus when a note that sorts before
  // it arrives meanwhile: Cat's clock is behind, so her new note comes first
  // on every board. (Notes reused their elements by position: Bob's keys went
  // into the note that took his textarea's place.)
  const bobsTextarea = pages[1]!.locator(`murmur-board [data-note="${cursorsId}"] textarea`);
  await bobsTextarea.focus();
  const count = await pages[1]!.locator('murmur-board .note').count();
  const earlyId = await pages[2]!.locator('murmur-board').evaluate((board) => {
    const realNow = Date.now;
    Date.now = () => 1;
    try {
      return (board as unknown as { add(x: number, y: number): string }).add(0.02, 0.02);
    } finally {
      Date.now = realNow;
    }
  });
  await expect(pages[1]!.locator('murmur-board .note')).toHaveCount(count + 1);
  await expect(pages[1]!.locator('murmur-board .note').first()).toHaveAttribute('data-note', earlyId);
  await pages[1]!.keyboard.type(', even now');
  await expect(bobsTextarea).toHaveValue('Cursors feel smooth, even now');
  const texts = JSON.parse(await notesJson(pages[1]!)) as Record<string, { text: string }>;
  expect(texts[earlyId]?.text).toBe('');
  expect(texts[cursorsId]?.text).toBe('Cursors feel smooth, even now');

  await Promise.all([...contexts, lateContext].map((context) => context.close()));
});
