/**
 * The room outlives its signaling server: six tabs with at most three links
 * each; the server stops; tabs leave and die one by one; the survivors
 * repair the mesh through itself and keep agreeing; a new tab joins once
 * the server is back.
 */
import { expect, test, type User } from './kit/index.js';
import { linkPairs, openLinks, planDepartures } from './support/mesh.js';

const MAX_LINKS = 3;

test('six tabs, maxLinks 3: the mesh repairs itself while the signaling server is down', async ({ murmur, signaling }) => {
  test.setTimeout(240_000);
  const joinOptions = { maxLinks: MAX_LINKS };
  const agree = async (users: readonly User[], timeoutMs = 30_000) => {
    const started = Date.now();
    await murmur.waitForConvergence(users, { timeoutMs });
    return Date.now() - started;
  };

  const tabs = await murmur.spawn(6, { joinOptions, presence: (i) => ({ name: `tab${i}` }) });
  console.log(`6 tabs: everyone sees everyone ${await agree(tabs)} ms after they joined`);
  // A full tab accepts a joining peer and evicts a neighbour at once (HyParView), so for the length of a
  // goodbye it may hold maxLinks + 1 open links; never more, and back to maxLinks within a moment.
  for (const tab of tabs) expect((await openLinks(tab)).length).toBeLessThanOrEqual(MAX_LINKS + 1);
  const settleStarted = Date.now();
  for (const tab of tabs) await expect.poll(async () => (await openLinks(tab)).length, { timeout: 10_000 }).toBeLessThanOrEqual(MAX_LINKS);
  console.log(`MEASURE within_max_links_ms=${Date.now() - settleStarted}`);

  // Pick who leaves so that the three survivors are NOT already linked to
  // each other (repair then needs new links), while every removal keeps the
  // remaining mesh connected (a cut-off tab cannot be reached without a server).
  const graph = new Map<string, Set<string>>();
  for (const tab of tabs) graph.set(tab.id, new Set(await openLinks(tab)));
  const plan = planDepartures(tabs.map((t) => t.id), graph);
  console.log(`survivors share ${plan.survivorEdges} of 3 possible links before the server stops`);
  const byId = new Map(tabs.map((t) => [t.id, t]));
  const victims = plan.order.map((id) => byId.get(id)!);

  await signaling.stop();
  const linksBeforeStop = await linkPairs(tabs);
  let alive = [...tabs];

  const depart = async (victim: User, how: 'close' | 'kill') => {
    const started = Date.now();
    alive = alive.filter((t) => t !== victim);
    if (how === 'close') await victim.close();
    else await victim.kill();
    const waited = await agree(alive, 60_000);
    console.log(`${how === 'kill' ? 'killed' : 'closed'} tab ${victim.id}: gone from every survivor's peers after ${Date.now() - started} ms (waited ${waited} ms)`);
    // Repaired enough to carry on: every survivor holds a link again.
    for (const tab of alive) await expect.poll(async () => (await openLinks(tab)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  };

  await depart(victims[0]!, 'close');
  await depart(victims[1]!, 'close');
  await depart(victims[2]!, 'kill');

  // Repaired: the survivors link to each other as far as maxLinks allows.
  for (const tab of alive) {
    await expect
      .poll(async () => (await openLinks(tab)).length, { timeout: 30_000, message: `${tab.id} to hold ${alive.length - 1} open links after repair` })
      .toBe(Math.min(MAX_LINKS, alive.length - 1));
  }

  // At least one link that did not exist when the server stopped: negotiated over the mesh.
  const formedWhileDown = [...(await linkPairs(alive))].filter((pair) => !linksBeforeStop.has(pair)).length;
  console.log(`links formed while the server was down: ${formedWhileDown}`);
  expect(formedWhileDown).toBeGreaterThan(0);

  // A presence update from each survivor reaches all the others.
  for (const [i, tab] of alive.entries()) await tab.updatePresence({ round: i + 1 });
  for (const tab of alive) {
    for (const [i, other] of alive.entries()) {
      if (other === tab) continue;
      await expect.poll(async () => (await tab.snapshot()).presence[other.id]?.round).toBe(i + 1);
    }
  }

  // The server returns on the same port; a newcomer joins the same room.
  await signaling.start();
  const [late] = await murmur.spawn(1, { joinOptions, presence: { name: 'late' } });
  console.log(`newcomer after restart: everyone agrees in ${await agree([...alive, late])} ms`);
});
