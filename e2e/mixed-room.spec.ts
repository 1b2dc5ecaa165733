/**
 * Browsers and Node peers in one room: 3 tabs and 20 Node peers (in two Node
 * processes, over @roamhq/wrtc) all see all 22 others, no tab holds more
 * than 8 links, and a presence update reaches everyone.
 */
import { expect, test } from './fixtures.js';
import { spawnNodePeers, type NodePeers } from './support/node-peers.js';
import { Tab } from './support/tab.js';

test('3 tabs + 20 Node peers: everyone sees all 22 others; tabs hold at most 8 links', async ({ browser, demo }) => {
  test.setTimeout(180_000);
  const room = `mixed-${Date.now().toString(36)}`;
  const signaling = demo.server.url;
  const groups: NodePeers[] = [];
  const tabs: Tab[] = [];
  try {
    for (const prefix of ['bot-a', 'bot-b']) groups.push(await spawnNodePeers({ room, signaling, count: 10, prefix }));
    for (let i = 0; i < 3; i++) tabs.push(await Tab.open(browser, demo.pageUrl));
    const started = Date.now();
    for (const [i, tab] of tabs.entries()) await tab.join(room, { signaling, presence: { name: `tab${i}` } });
    const everyone = [...groups.flatMap((g) => g.ids), ...tabs.map((t) => t.selfId)].sort();
    expect(everyone).toHaveLength(23);

    const others = (self: string) => everyone.filter((id) => id !== self);
    for (const tab of tabs) {
      await expect.poll(async () => (await tab.snapshot()).peers, { timeout: 60_000, message: `${tab.selfId} sees all 22` }).toEqual(others(tab.selfId));
    }
    await expect
      .poll(
        async () => {
          const statuses = (await Promise.all(groups.map((g) => g.status()))).flat();
          return statuses.filter((s) => s.peers.length === 22).length;
        },
        { timeout: 60_000, message: 'all 20 Node peers to see 22 others' },
      )
      .toBe(20);
    console.log(`23 participants: everyone sees everyone ${Date.now() - started} ms after the first tab joined`);

    // A full peer accepting a join holds a ninth link for the moment between
    // its HELLO and the eviction that follows; the cap is for the settled mesh.
    let linkCounts: number[] = [];
    let nodeLinks: number[] = [];
    await expect
      .poll(
        async () => {
          linkCounts = await Promise.all(tabs.map(async (t) => (await t.snapshot()).links.filter((l) => l.state === 'open').length));
          nodeLinks = (await Promise.all(groups.map((g) => g.status()))).flat().map((s) => s.links);
          return Math.max(...linkCounts, ...nodeLinks);
        },
        { timeout: 10_000, message: 'every participant to hold at most 8 open links' },
      )
      .toBeLessThanOrEqual(8);
    console.log(`open links per tab: ${linkCounts.join(', ')}; per Node peer: max ${Math.max(...nodeLinks)}, mean ${(nodeLinks.reduce((a, b) => a + b, 0) / nodeLinks.length).toFixed(1)}`);

    // One tab's presence update reaches all 22 others.
    const sentAt = Date.now();
    await tabs[0]!.updatePresence({ wave: 42 });
    const sender = tabs[0]!.selfId;
    for (const tab of tabs.slice(1)) await expect.poll(async () => (await tab.snapshot()).presence[sender]?.wave).toBe(42);
    await expect
      .poll(async () => (await Promise.all(groups.map((g) => g.status()))).flat().filter((s) => s.presence[sender]?.wave === 42).length)
      .toBe(20);
    console.log(`presence update reached all 22 others within ${Date.now() - sentAt} ms (polled)`);
  } finally {
    for (const tab of tabs) await tab.close();
    for (const group of groups) await group.leave();
  }
});
