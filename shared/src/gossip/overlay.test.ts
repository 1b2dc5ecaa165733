import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents, takeSent } from '../../test/layer-context.js';
import type { GossipOverrides } from './config.js';
import { Overlay, SPLIT_GRACE_PERIODS } from './overlay.js';
import { PROTOCOL_VERSION } from './wire/frames.js';

function overlay(tuning: GossipOverrides = {}) {
  const { ctx, view } = layerContext('me', tuning);
  const layer = new Overlay(ctx);
  // Object.create, not a spread: the fake view's getters (liveCount, treeRoot) must stay live.
  ctx.view = Object.create(ctx.view, { neighbors: { value: layer.active } }) as typeof ctx.view;
  return { ctx, view, layer };
}

/** Links that come up and say HELLO(high): accepted into the active view. */
function acceptAll(layer: Overlay, peers: readonly string[]): void {
  for (const peer of peers) {
    layer.linkUp(peer);
    layer.receive(peer, { type: 'hello', version: PROTOCOL_VERSION, intent: 'high', incarnation: 0 });
  }
}

describe('Overlay alone', () => {
  it('dials a discovered peer, says HELLO once the link is up, and raises neighbor-up on WELCOME', () => {
    const { ctx, layer } = overlay();
    layer.discovered(['a']);
    expect(ctx.out).toContainEqual({ type: 'connect', peer: 'a' });
    ctx.out = [];
    layer.linkUp('a');
    expect(takeSent(ctx)).toEqual([{ to: 'a', frame: { type: 'hello', version: PROTOCOL_VERSION, intent: 'join', incarnation: 0 } }]);
    layer.receive('a', { type: 'welcome', incarnation: 3 });
    expect(takeEvents(ctx)).toEqual([
      { type: 'heard-alive', peer: 'a', incarnation: 3 },
      { type: 'neighbor-up', peer: 'a', first: true },
    ]);
    expect([...layer.active]).toEqual(['a']);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('accepts a JOIN, welcomes it, and starts forward-join walks through its other neighbours', () => {
    const { ctx, layer } = overlay();
    acceptAll(layer, ['b', 'c']);
    takeSent(ctx);
    takeEvents(ctx);
    layer.linkUp('n');
    layer.receive('n', { type: 'hello', version: PROTOCOL_VERSION, intent: 'join', incarnation: 0 });
    const sent = takeSent(ctx);
    expect(sent[0]).toEqual({ to: 'n', frame: { type: 'welcome', incarnation: 0 } });
    expect(sent.filter((s) => s.frame.type === 'forward-join').map((s) => s.to).sort()).toEqual(['b', 'c']);
    expect(takeEvents(ctx)).toEqual([
      { type: 'heard-alive', peer: 'n', incarnation: 0 },
      { type: 'neighbor-up', peer: 'n', first: false },
    ]);
  });

  it('refuses a low-priority request when full, and keeps the peer as a repair candidate', () => {
    const { ctx, layer } = overlay({ overlay: { maxLinks: 2, targetLinks: 2 } });
    acceptAll(layer, ['b', 'c']);
    ctx.out = [];
    takeEvents(ctx);
    layer.linkUp('x');
    layer.receive('x', { type: 'hello', version: PROTOCOL_VERSION, intent: 'low', incarnation: 0 });
    expect(ctx.out.some((o) => o.type === 'disconnect' && o.peer === 'x')).toBe(true);
    expect(takeSent(ctx).map((s) => s.frame.type)).toEqual(['refuse']);
    expect(layer.passive).toContain('x');
    expect(layer.active.size).toBe(2);
    expect(layer.checkInvariants()).toBeUndefined();
  });

  it('a neighbour whose link fails raises neighbor-down, not graceful; a DISCONNECT is graceful', () => {
    const { ctx, layer } = overlay();
    acceptAll(layer, ['b', 'c']);
    takeEvents(ctx);
    layer.linkDown('b');
    layer.receive('c', { type: 'disconnect' });
    expect(takeEvents(ctx)).toEqual([
      { type: 'neighbor-down', peer: 'b', graceful: false },
      { type: 'neighbor-down', peer: 'c', graceful: true },
    ]);
    expect(layer.passive).toContain('c');
  });

  it('owns its timers: start arms shuffle and maintain; maintain re-arms itself', () => {
    const { ctx, layer } = overlay();
    layer.start();
    expect(ctx.deadline('shuffle')).toBeGreaterThan(0);
    expect(ctx.deadline('maintain')).toBe(ctx.config.overlay.maintainIntervalMs);
    ctx.now = 1000;
    ctx.fired('maintain');
    layer.maintain();
    expect(ctx.deadline('maintain')).toBe(2000);
  });

  it('as a tree root that knows a live member with a smaller id, dials it with high priority after the grace (the room is split)', () => {
    const { ctx, view, layer } = overlay({ overlay: { maxLinks: 2, targetLinks: 2 } });
    acceptAll(layer, ['x', 'y']);
    view.treeRoot = 'me';
    for (const peer of ['x', 'y', 'a']) view.statuses.set(peer, 'alive');
    takeSent(ctx);
    ctx.out = [];
    const period = ctx.config.overlay.maintainIntervalMs;
    for (let i = 0; i < SPLIT_GRACE_PERIODS; i++) {
      ctx.now += period;
      layer.maintain();
    }
    expect(ctx.out).not.toContainEqual({ type: 'connect', peer: 'a' });
    ctx.now += period;
    layer.maintain();
    expect(ctx.out).toContainEqual({ type: 'connect', peer: 'a' });
    expect(layer.pending.get('a')?.intent).toBe('high');
    expect(ctx.stats.splitDials).toBe(1);
  });

  it('a tab that is not the root, or whose smaller members are all linked, does not call the room split', () => {
    const { ctx, view, layer } = overlay({ overlay: { maxLinks: 2, targetLinks: 2 } });
    acceptAll(layer, ['a', 'y']);
    for (const peer of ['a', 'y']) view.statuses.set(peer, 'alive');
    view.treeRoot = 'me';
    for (let i = 0; i < 10; i++) {
      ctx.now += ctx.config.overlay.maintainIntervalMs;
      layer.maintain();
    }
    expect(ctx.stats.splitDials).toBe(0);
  });

  it('dials past a neighbour that is its only way to the rest of the room, with high priority, even at targetLinks', () => {
    const { ctx, view, layer } = overlay({ overlay: { maxLinks: 3, targetLinks: 2 } });
    acceptAll(layer, ['h', 'b']);
    for (const peer of ['h', 'b', 'c', 'd']) view.statuses.set(peer, 'alive');
    view.lists.set('b', new Set(['me', 'h']));
    view.lists.set('h', new Set(['me', 'b', 'c']));
    ctx.out = [];
    for (let i = 0; i < 4; i++) {
      ctx.now += ctx.config.overlay.maintainIntervalMs;
      layer.maintain();
    }
    expect(ctx.stats.cutDials).toBe(1);
    // d, not c: c is the hub's neighbour, d is beyond both
    expect(ctx.out).toContainEqual({ type: 'connect', peer: 'd' });
    expect(layer.pending.get('d')?.intent).toBe('high');
  });
});
