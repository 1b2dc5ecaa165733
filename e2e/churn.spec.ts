/**
 * Churn with the signaling server gone: six tabs at maxLinks 3, the server
 * stops, then two tabs close and one is killed back to back, each departure
 * as soon as the survivors agree on the last one (not after a repair). The
 * survivors must still hear each other, and a newcomer joins once the
 * server is back.
 */
import { expect, test } from './kit/index.js';
import { engineViews, hearEachOther, linkGraph, pickVictim } from './support/mesh.js';

const MAX_LINKS = 3;

test('six tabs, maxLinks 3, server down: two closes and a kill back to back leave a room whose survivors hear each other', async ({
  murmur,
  signaling,
}) => {
  test.setTimeout(180_000);
  const joinOptions = { maxLinks: MAX_LINKS };
  const tabs = await murmur.spawn(6, { joinOptions, presence: (i) => ({ name: `tab${i}` }) });
  await murmur.waitForConvergence(tabs, { timeoutMs: 30_000 });
  // Links before they are needed: every tab holds at least min(2, live - 1).
  const linked = Date.now();
  await expect
    .poll(async () => Math.min(...[...(await linkGraph(tabs)).values()].map((peers) => peers.size)), {
      timeout: 10_000,
      message: `every tab to hold 2 links with 6 live (engines: see below)`,
    })
    .toBeGreaterThanOrEqual(2)
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\n engines:\n  ${await engineViews(tabs)}`);
    });
  console.log(`MEASURE two_links_each_ms=${Date.now() - linked}`);

  await signaling.stop();
  const churnStarted = Date.now();
  let alive = [...tabs];
  // Each departure as soon as the survivors agree on the last one. The
  // victim is picked on the links as they are at that moment: see pickVictim.
  const depart = async (how: 'close' | 'kill') => {
    const graph = await linkGraph(alive);
    const victim = pickVictim(alive, alive, graph);
    const degrees = alive.map((t) => `${t.label}:${graph.get(t.id)?.size ?? 0}`).join(' ');
    alive = alive.filter((t) => t !== victim);
    const started = Date.now();
    if (how === 'close') await victim.close();
    else await victim.kill();
    try {
      await murmur.waitForConvergence(alive, { timeoutMs: 30_000 });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n engines:\n  ${await engineViews(alive)}`);
    }
    console.log(`MEASURE ${how} ${victim.label} agreed_ms=${Date.now() - started} links_before [${degrees}]`);
  };
  await depart('close');
  await depart('close');
  await depart('kill');
  const survivors = alive;

  // A presence update from each survivor reaches every other survivor.
  const heardMs = await hearEachOther(survivors, 'after', 30_000).catch(async (error: Error) => {
    throw new Error(`${error.message}\n engines:\n  ${await engineViews(survivors)}`);
  });
  console.log(`MEASURE survivors_hear_each_other_ms=${heardMs} since_first_departure_ms=${Date.now() - churnStarted}`);
  // Three survivors fit in maxLinks + 1: a full mesh again. Within two
  // handshake timeouts (15 s each): a dial whose signals went through the
  // killed tab can only fail by timing out (the closing note gives the figure).
  const meshStarted = Date.now();
  for (const tab of survivors) {
    await expect
      .poll(async () => (await linkGraph([tab])).get(tab.id)?.size, { timeout: 40_000, message: `${tab.label} to link to both other survivors` })
      .toBe(survivors.length - 1)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\n engines:\n  ${await engineViews(survivors)}`);
      });
  }

  console.log(`MEASURE survivors_full_mesh_ms=${Date.now() - meshStarted}`);

  // The server returns on the same port; a newcomer joins the same room.
  await signaling.start();
  const joinStarted = Date.now();
  const [late] = await murmur.spawn(1, { joinOptions, presence: { name: 'late' } });
  try {
    await murmur.waitForConvergence([...survivors, late], { timeoutMs: 60_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n engines:\n  ${await engineViews([...survivors, late])}`);
  }
  console.log(`MEASURE newcomer_joined_ms=${Date.now() - joinStarted}`);
  expect((await late.peers()).sort()).toEqual(survivors.map((s) => s.id).sort());
});
