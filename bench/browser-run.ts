/**
 * One benchmark scenario: N users of one system in one browser, through the
 * phases join → presence updates → Yjs updates → kill one → stop the server
 * and close two → do the rest still agree. Every phase has a deadline; a
 * missed one becomes a null figure and a note, never a hang.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import type { AgentState, Receipt } from './browser-agent.js';
import { SEND_COUNTER_SCRIPT } from './browser-agent.js';
import { PAGES } from './browser-pages.js';
import type { BenchSignaling } from './browser-servers.js';
import { emptyRow, percentile, round, type BenchRow } from './browser-stats.js';

export interface RunOptions {
  browser: Browser;
  system: 'murmur' | 'y-webrtc';
  n: number;
  baseUrl: string;
  signaling: BenchSignaling;
  /** Updates per phase (rotating senders). */
  updates: number;
  /** Gap between updates, ms. */
  gapMs: number;
  joinDeadlineMs: number;
  killedDeadlineMs: number;
  repairDeadlineMs: number;
  log: (line: string) => void;
}

interface BenchUser {
  context: BrowserContext;
  page: Page;
  id: string;
  live: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Expressions, not functions: the runner is transpiled by tsx, whose helpers
// must not leak into code that Playwright ships to the page.
const state = (user: BenchUser) => user.page.evaluate('agent.state()') as Promise<AgentState>;
const receiptCounts = (user: BenchUser) => user.page.evaluate('agent.counts()') as Promise<{ presence: number; doc: number }>;

async function poll<T>(deadlineMs: number, intervalMs: number, check: () => Promise<T | null>): Promise<T | null> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() >= deadline) return null;
    await pause(intervalMs);
  }
}

async function openUsers(options: RunOptions): Promise<BenchUser[]> {
  const url = new URL(options.system === 'murmur' ? PAGES.murmur : PAGES.ywebrtc, `${options.baseUrl}dist/`).href;
  const users: BenchUser[] = [];
  // A few at a time: each context costs ~2 s of CPU on a 2-core machine.
  for (let start = 0; start < options.n; start += 4) {
    const batch = Array.from({ length: Math.min(4, options.n - start) }, async () => {
      const context = await options.browser.newContext();
      await context.addInitScript({ content: SEND_COUNTER_SCRIPT });
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForFunction('document.documentElement.dataset.ready === "true"');
      return { context, page, id: '', live: true };
    });
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

async function sendTotals(users: readonly BenchUser[]): Promise<{ count: number; bytes: number }> {
  const states = await Promise.all(users.filter((u) => u.live).map(state));
  return states.reduce((sum, s) => ({ count: sum.count + s.sends, bytes: sum.bytes + s.sendBytes }), { count: 0, bytes: 0 });
}

/** K updates from rotating senders; waits for every receipt or the deadline. */
async function updatePhase(
  users: readonly BenchUser[],
  kind: 'presence' | 'doc',
  options: RunOptions,
  firstSeq: number,
): Promise<{ receipts: Receipt[]; expected: number; sends: number; bytes: number }> {
  const live = users.filter((u) => u.live);
  await Promise.all(live.map((u) => u.page.evaluate('agent.takeReceipts()')));
  const before = await sendTotals(live);
  for (let k = 0; k < options.updates; k++) {
    const sender = live[k % live.length]!;
    await sender.page.evaluate(kind === 'presence' ? `agent.presencePing(${firstSeq + k})` : `agent.docPing(${firstSeq + k})`);
    await pause(options.gapMs);
  }
  const expected = options.updates * (live.length - 1);
  await poll(10_000, 100, async () => {
    const counts = await Promise.all(live.map(receiptCounts));
    return counts.reduce((sum, c) => sum + c[kind], 0) >= expected ? true : null;
  });
  const after = await sendTotals(live);
  const taken = (await Promise.all(live.map((u) => u.page.evaluate('agent.takeReceipts()')))) as Array<{ presence: Receipt[]; doc: Receipt[] }>;
  const receipts = taken.flatMap((t) => t[kind]).filter((r) => r.seq >= firstSeq);
  return { receipts, expected, sends: after.count - before.count, bytes: after.bytes - before.bytes };
}

async function closeGracefully(user: BenchUser): Promise<void> {
  user.live = false;
  const closed = user.page.waitForEvent('close', { timeout: 5_000 }).catch(() => {});
  await user.page.close({ runBeforeUnload: true }).catch(() => {});
  await closed;
  await user.context.close().catch(() => {});
}

async function kill(user: BenchUser): Promise<void> {
  user.live = false;
  const cdp = await user.context.newCDPSession(user.page);
  const crashed = user.page.waitForEvent('crash', { timeout: 10_000 }).catch(() => {});
  void cdp.send('Page.crash').catch(() => {});
  await crashed;
}

export async function runScenario(options: RunOptions): Promise<BenchRow> {
  const { n, log } = options;
  const row = emptyRow(options.system, n);
  const room = `bench-${options.system}-${n}-${randomBytes(4).toString('hex')}`;
  const users = await openUsers(options);
  try {
    // Join: all users start at once; each page notes when it first sees the n-1 others.
    const joinedAt = Date.now();
    const ids = await Promise.all(
      users.map((u) => u.page.evaluate(`startAgent(${JSON.stringify(room)}, ${JSON.stringify(options.signaling.url)}, ${n - 1})`)),
    );
    users.forEach((u, i) => (u.id = String(ids[i])));
    const full = await poll(options.joinDeadlineMs, 100, async () => {
      const states = await Promise.all(users.map(state));
      return states.every((s) => s.fullAt !== null) ? Math.max(...states.map((s) => s.fullAt!)) : null;
    });
    if (full === null) {
      row.notes.push(`not every user saw every other within ${options.joinDeadlineMs} ms; later figures may be partial`);
    } else {
      row.join_all_ms = round(full - joinedAt, 0);
    }
    log(`  ${options.system} n=${n}: join_all ${row.join_all_ms ?? 'timeout'} ms`);

    // Steady state first: murmur's overlay trims the links the server's introductions opened
    // down to its active view, and updates sent across a closing link take the slow repair path.
    // Wait until no user's link count has changed for 1.5 s (10 s at most), the same for both systems.
    const settleStarted = Date.now();
    let lastLinks = '';
    let stableSince = Date.now();
    await poll(10_000, 250, async () => {
      const links = (await Promise.all(users.map(state))).map((s) => s.links).join(',');
      if (links !== lastLinks) {
        lastLinks = links;
        stableSince = Date.now();
      }
      return Date.now() - stableSince >= 1_500 ? true : null;
    });
    row.settle_ms = Date.now() - settleStarted;
    // Background traffic (probes, anti-entropy, awareness renewals) over a quiet second, per user.
    const idleBefore = await sendTotals(users);
    const idleStarted = Date.now();
    await pause(1_000);
    const idleAfter = await sendTotals(users);
    row.idle_msgs_per_user_s = round(((idleAfter.count - idleBefore.count) / n) * (1000 / (Date.now() - idleStarted)), 2);

    // Presence updates, then Yjs updates when the system has a doc.
    const presence = await updatePhase(users, 'presence', options, 1);
    row.presence_p50_ms = round(percentile(presence.receipts.map((r) => r.ms), 50), 2);
    row.presence_p99_ms = round(percentile(presence.receipts.map((r) => r.ms), 99), 2);
    const slow = presence.receipts.filter((r) => r.ms > 100).length;
    if (slow > 0) row.notes.push(`${slow} of ${presence.receipts.length} presence receipts took over 100 ms (max ${round(Math.max(...presence.receipts.map((r) => r.ms)), 0)} ms)`);
    row.msgs_per_update = round(presence.sends / options.updates / n, 2);
    row.bytes_per_update = round(presence.bytes / options.updates / n, 0);
    row.expected += presence.expected;
    row.lost += Math.max(0, presence.expected - presence.receipts.length);
    const hasDoc = (await users[0]!.page.evaluate('agent.hasDoc')) as boolean;
    if (hasDoc) {
      const doc = await updatePhase(users, 'doc', options, 1);
      row.doc_p50_ms = round(percentile(doc.receipts.map((r) => r.ms), 50), 2);
      row.doc_p99_ms = round(percentile(doc.receipts.map((r) => r.ms), 99), 2);
      row.doc_msgs_per_update = round(doc.sends / options.updates / n, 2);
      row.doc_bytes_per_update = round(doc.bytes / options.updates / n, 0);
      row.expected += doc.expected;
      row.lost += Math.max(0, doc.expected - doc.receipts.length);
    } else {
      row.notes.push('no room.doc in this build: Yjs figures not measured');
    }
    const states = await Promise.all(users.map(state));
    row.links_per_user = round(states.reduce((sum, s) => sum + s.links, 0) / n, 1);
    log(`  ${options.system} n=${n}: presence p50/p99 ${row.presence_p50_ms}/${row.presence_p99_ms} ms, doc ${row.doc_p50_ms}/${row.doc_p99_ms} ms, links ${row.links_per_user}`);

    // Kill the last user's renderer: no goodbye. Time until every other user has dropped it.
    const victim = users[n - 1]!;
    const killedAt = Date.now();
    await kill(victim);
    const survivors = users.filter((u) => u.live);
    const gone = await poll(options.killedDeadlineMs, 200, async () => {
      const times = (await Promise.all(survivors.map((u) => u.page.evaluate(`agent.goneAt(${JSON.stringify(victim.id)})`)))) as Array<number | null>;
      return times.every((t) => t !== null) ? Math.max(...(times as number[])) : null;
    });
    if (gone === null) {
      row.killed_gone_timeout = true;
      row.notes.push(`a killed user was still listed by someone after ${options.killedDeadlineMs} ms`);
    } else {
      row.killed_gone_ms = round(gone - killedAt, 0);
    }
    await victim.context.close().catch(() => {});
    log(`  ${options.system} n=${n}: killed user gone after ${row.killed_gone_ms ?? 'timeout'} ms`);

    // Signaling server down; two users close gracefully; do the rest still agree, and does an update reach all?
    await options.signaling.stop();
    const leaving = survivors.slice(-2);
    await Promise.all(leaving.map(closeGracefully));
    const rest = users.filter((u) => u.live);
    const restIds = new Set(rest.map((u) => u.id));
    const agreed = await poll(options.repairDeadlineMs, 200, async () => {
      const views = await Promise.all(rest.map(state));
      const ok = views.every((v) => v.peers.length === rest.length - 1 && v.peers.every((p) => restIds.has(p)));
      return ok ? true : null;
    });
    let reached = rest.length < 2;
    if (agreed && rest.length >= 2) {
      const check = await updatePhase(rest, 'presence', { ...options, updates: rest.length }, 10_000);
      reached = check.receipts.length >= check.expected;
    }
    row.repaired_without_server = Boolean(agreed) && reached;
    if (rest.length < 2) row.notes.push('repair check: one user left, so it only checks that user drops the leavers');
    log(`  ${options.system} n=${n}: without server, ${rest.length} remaining users ${row.repaired_without_server ? 'converge' : 'do NOT converge'}`);
  } finally {
    await Promise.all(users.map((u) => u.context.close().catch(() => {})));
  }
  return row;
}

/** The floor: raw data channel between two fresh pages, one-way and round trip. */
export async function runFloor(browser: Browser, baseUrl: string, pings: number, gapMs: number, warmup: number): Promise<BenchRow> {
  const row = emptyRow('floor', 2);
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const [a, b] = await Promise.all(contexts.map((c) => c.newPage()));
    const url = new URL(PAGES.floor, `${baseUrl}dist/`).href;
    for (const page of [a!, b!]) {
      await page.goto(url);
      await page.waitForFunction('document.documentElement.dataset.ready === "true"');
    }
    const offer = (await a!.evaluate('floor.offer()')) as string;
    const answer = (await b!.evaluate(`floor.answer(${JSON.stringify(offer)})`)) as string;
    await a!.evaluate(`floor.accept(${JSON.stringify(answer)})`);
    const open = await poll(10_000, 50, async () => ((await a!.evaluate('floor.isOpen()')) ? true : null));
    if (!open) {
      row.notes.push('floor data channel did not open in 10 s');
      return row;
    }
    // The first pings pay for JIT and a cold channel; the systems measured later have warmed up too.
    await a!.evaluate(`floor.ping(${warmup + pings}, ${gapMs})`);
    const oneWay = ((await b!.evaluate('floor.results()')) as { oneWay: number[] }).oneWay.slice(warmup);
    const roundTrip = ((await a!.evaluate('floor.results()')) as { roundTrip: number[] }).roundTrip.slice(warmup);
    row.presence_p50_ms = round(percentile(oneWay, 50), 2);
    row.presence_p99_ms = round(percentile(oneWay, 99), 2);
    row.rtt_p50_ms = round(percentile(roundTrip, 50), 2);
    row.rtt_p99_ms = round(percentile(roundTrip, 99), 2);
    row.msgs_per_update = 1;
    row.links_per_user = 1;
    row.expected = pings;
    row.lost = pings - oneWay.length;
    row.notes.push(`one hop, one way; round trip p50/p99 ${row.rtt_p50_ms}/${row.rtt_p99_ms} ms`);
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
  }
  return row;
}
