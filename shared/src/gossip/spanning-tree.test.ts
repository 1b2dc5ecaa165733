import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents, takeSent } from '../../test/layer-context.js';
import { SpanningTree } from './spanning-tree.js';

describe('SpanningTree alone', () => {
  it('adopts the neighbour nearest the smallest root, tells every neighbour, and raises tree-changed', () => {
    const { ctx, view } = layerContext('m');
    const tree = new SpanningTree(ctx);
    for (const peer of ['x', 'y']) {
      view.neighbors.add(peer);
      tree.neighborUp();
    }
    takeSent(ctx);
    tree.onAdvert('x', { seq: 1, root: 'a', distance: 2, parent: 'q' });
    tree.onAdvert('y', { seq: 1, root: 'a', distance: 1, parent: 'a' });
    expect(tree.root).toBe('a');
    expect(tree.parent).toBe('y');
    expect(tree.distance).toBe(2);
    expect(takeEvents(ctx)).toEqual([{ type: 'tree-changed' }, { type: 'tree-changed' }]);
    expect(takeSent(ctx).filter((s) => s.frame.type === 'tree').map((s) => s.to)).toEqual(['x', 'y', 'x', 'y']);
    expect(tree.checkInvariants()).toBeUndefined();
  });

  it('never adopts a neighbour whose parent is us (poisoned reverse), nor a root known dead', () => {
    const { ctx, view } = layerContext('m');
    const tree = new SpanningTree(ctx);
    view.neighbors.add('x');
    view.neighbors.add('z');
    view.statuses.set('a', 'dead');
    tree.onAdvert('x', { seq: 1, root: 'b', distance: 1, parent: 'm' });
    tree.onAdvert('z', { seq: 1, root: 'a', distance: 0, parent: '' });
    expect(tree.root).toBe('m');
    expect(tree.parent).toBeUndefined();
    expect([...tree.treeLinks()]).toEqual([]);
    expect(tree.checkInvariants()).toBeUndefined();
  });

  it('falls back to itself as root when its parent goes', () => {
    const { ctx, view } = layerContext('m');
    const tree = new SpanningTree(ctx);
    view.neighbors.add('y');
    tree.onAdvert('y', { seq: 1, root: 'a', distance: 0, parent: '' });
    expect(tree.parent).toBe('y');
    view.neighbors.delete('y');
    tree.neighborDown('y');
    expect(tree.root).toBe('m');
    expect(tree.checkInvariants()).toBeUndefined();
  });

  it('tells every neighbour its active view on each change, and keeps each neighbour\'s list until a newer advert shows it missed one', () => {
    const { ctx, view } = layerContext('m');
    const tree = new SpanningTree(ctx);
    view.neighbors.add('x');
    tree.neighborUp();
    view.neighbors.add('y');
    tree.neighborUp();
    const sent = takeSent(ctx).filter((s) => s.frame.type === 'tree');
    expect(sent.map((s) => [s.to, s.frame.type === 'tree' ? [...s.frame.neighbors] : []])).toEqual([
      ['x', ['x']],
      ['x', ['x', 'y']],
      ['y', ['x', 'y']],
    ]);
    tree.onAdvert('x', { seq: 3, root: 'a', distance: 1, parent: 'a' }, ['m', 'q']);
    expect([...(tree.neighborsOf('x') ?? [])]).toEqual(['m', 'q']);
    tree.onAdvert('x', { seq: 3, root: 'a', distance: 1, parent: 'a' }); // the same advert on a ping: the list holds
    expect(tree.neighborsOf('x')).toBeDefined();
    tree.onAdvert('x', { seq: 4, root: 'a', distance: 1, parent: 'a' }); // a newer one on a ping: its TREE frame was lost
    expect(tree.neighborsOf('x')).toBeUndefined();
    tree.onAdvert('y', { seq: 2, root: 'a', distance: 1, parent: 'a' }, ['m']);
    view.neighbors.delete('y');
    tree.neighborDown('y');
    expect(tree.neighborsOf('y')).toBeUndefined();
  });
});
