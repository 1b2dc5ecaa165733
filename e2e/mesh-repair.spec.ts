/**
 * The room outlives its signaling server: six tabs with at most three links
 * each; the server stops; tabs leave and die one by one; the survivors
 * repair the mesh through itself and keep agreeing; a new tab joins once
 * the server is back.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSignalingServer, type SignalingServer } from '../signaling-server/src/server.js';
import { serveStatic } from '../signaling-server/src/static-files.js';
import { expect, test } from './fixtures.js';
import { Tab } from './support/tab.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const MAX_LINKS = 3;

async function startServer(port: number): Promise<SignalingServer> {
  return createSignalingServer({ port, onRequest: serveStatic(join(root, 'dist')), log: () => {} });
}

async function waitAgree(tabs: Tab[], what: string, timeout = 30_000): Promise<number> {
  const started = Date.now();
  const ids = tabs.map((t) => t.selfId);
  for (const tab of tabs) {
    const expected = ids.filter((id) => id !== tab.selfId).sort();
    await expect
      .poll(async () => (await tab.snapshot()).peers, { timeout, message: `${tab.selfId} to see exactly the others (${what})` })
      .toEqual(expected);
  }
  return Date.now() - started;
}

function connected(nodes: string[], graph: Map<string, Set<string>>): boolean {
  const set = new Set(nodes);
  const seen = new Set<string>([nodes[0]!]);
  const stack = [nodes[0]!];
  while (stack.length > 0) {
    for (const next of graph.get(stack.pop()!) ?? []) {
      if (set.has(next) && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen.size === set.size;
}

/** Three victims, in order, leaving survivors with the fewest links among themselves. */
function planDepartures(ids: string[], graph: Map<string, Set<string>>): { order: string[]; survivorEdges: number } {
  let best: { order: string[]; survivorEdges: number } | null = null;
  const permutations = (items: string[]): string[][] =>
    items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
  for (const order of permutations(ids).map((p) => p.slice(0, 3))) {
    const survivors = ids.filter((id) => !order.includes(id));
    const edges = survivors.flatMap((a, i) => survivors.slice(i + 1).filter((b) => graph.get(a)?.has(b))).length;
    if (best && edges >= best.survivorEdges) continue;
    const stays = [1, 2, 3].every((k) => connected(ids.filter((id) => !order.slice(0, k).includes(id)), graph));
    if (stays) best = { order, survivorEdges: edges };
  }
  if (!best) throw new Error(`no departure order keeps the mesh connected: ${JSON.stringify([...graph].map(([k, v]) => [k, [...v]]))}`);
  return best;
}

test('six tabs, maxLinks 3: the mesh repairs itself while the signaling server is down', async ({ browser }) => {
  test.setTimeout(240_000);
  let server = await startServer(0);
  const port = server.port;
  const base = `http://127.0.0.1:${port}/`;
  const room = `repair-${Date.now().toString(36)}`;
  const options = { signaling: server.url, maxLinks: MAX_LINKS };

  const tabs: Tab[] = [];
  for (let i = 0; i < 6; i++) tabs.push(await Tab.open(browser, base));
  const joinStarted = Date.now();
  for (const [i, tab] of tabs.entries()) await tab.join(room, { ...options, presence: { name: `tab${i}` } });
  console.log(`6 tabs: everyone sees everyone ${await waitAgree(tabs, 'initial join')} ms after the last join (${Date.now() - joinStarted} ms after the first)`);
  for (const tab of tabs) {
    const links = (await tab.snapshot()).links.filter((l) => l.state === 'open');
    expect(links.length).toBeLessThanOrEqual(MAX_LINKS);
  }

  // Pick who leaves so that the three survivors are NOT already linked to
  // each other (repair then needs new links), while every removal keeps the
  // remaining mesh connected (a cut-off tab cannot be reached without a server).
  const graph = new Map<string, Set<string>>();
  for (const tab of tabs) {
    graph.set(tab.selfId, new Set((await tab.snapshot()).links.filter((l) => l.state === 'open').map((l) => l.peer)));
  }
  const plan = planDepartures(tabs.map((t) => t.selfId), graph);
  console.log(`survivors share ${plan.survivorEdges} of 3 possible links before the server stops`);
  const byId = new Map(tabs.map((t) => [t.selfId, t]));
  const victims = plan.order.map((id) => byId.get(id)!);

  await server.close();
  const serverStoppedAt = await Promise.all(tabs.map(async (t) => [t.selfId, (await t.snapshot()).now] as const));
  const stoppedAt = new Map(serverStoppedAt);
  let alive = [...tabs];

  const depart = async (victim: Tab, how: 'close' | 'kill') => {
    const started = Date.now();
    alive = alive.filter((t) => t !== victim);
    if (how === 'close') await victim.close();
    else await victim.kill();
    const ms = await waitAgree(alive, `after ${how} of ${victim.selfId}`, 60_000);
    const gone = Date.now() - started;
    console.log(`${how === "kill" ? "killed" : "closed"} tab ${victim.selfId}: gone from every survivor's peers after ${gone} ms (waited ${ms} ms)`);
    // Repaired enough to carry on: every survivor holds a link again.
    for (const tab of alive) {
      await expect
        .poll(async () => (await tab.snapshot()).links.filter((l) => l.state === 'open').length, { timeout: 30_000 })
        .toBeGreaterThanOrEqual(1);
    }
    return gone;
  };

  await depart(victims[0]!, 'close');
  await depart(victims[1]!, 'close');
  await depart(victims[2]!, 'kill');

  // Repaired: the survivors link to each other as far as maxLinks allows.
  for (const tab of alive) {
    await expect
      .poll(async () => (await tab.snapshot()).links.filter((l) => l.state === 'open').length, {
        timeout: 30_000,
        message: `${tab.selfId} to hold ${alive.length - 1} open links after repair`,
      })
      .toBe(Math.min(MAX_LINKS, alive.length - 1));
  }

  // At least one link opened after the server went away: negotiated over the mesh.
  let formedWhileDown = 0;
  for (const tab of alive) {
    const snap = await tab.snapshot();
    formedWhileDown += snap.links.filter((l) => l.openedAt !== null && l.openedAt > (stoppedAt.get(tab.selfId) ?? Infinity)).length;
  }
  console.log(`links formed while the server was down: ${formedWhileDown}`);
  expect(formedWhileDown).toBeGreaterThan(0);

  // A presence update from each survivor reaches all the others.
  for (const [i, tab] of alive.entries()) await tab.updatePresence({ round: i + 1 });
  for (const tab of alive) {
    for (const [i, other] of alive.entries()) {
      if (other === tab) continue;
      await expect.poll(async () => (await tab.snapshot()).presence[other.selfId]?.round).toBe(i + 1);
    }
  }

  // The server returns on the same port; a newcomer joins the same room.
  server = await startServer(port);
  const late = await Tab.open(browser, base);
  await late.join(room, { ...options, presence: { name: 'late' } });
  alive.push(late);
  console.log(`newcomer after restart: everyone agrees in ${await waitAgree(alive, 'newcomer')} ms`);

  for (const tab of alive) await tab.close();
  await server.close();
});
