import { describe, expect, it } from 'vitest';
import { layerContext, takeEvents, takeSent } from '../../test/layer-context.js';
import { Routing } from './routing.js';

describe('Routing alone', () => {
  it('learns reverse paths and forwards along them', () => {
    const { ctx, view } = layerContext();
    view.neighbors.add('n');
    const routing = new Routing(ctx);
    routing.onRoute('n', 'far', 'me', 5, { kind: 'app', payload: Uint8Array.of(9) });
    expect(ctx.out).toContainEqual({ type: 'routed', from: 'far', payload: Uint8Array.of(9) });
    ctx.out = [];
    routing.sendApp('far', Uint8Array.of(1));
    expect(takeSent(ctx)).toEqual([{ to: 'n', frame: { type: 'route', origin: 'me', to: 'far', ttl: ctx.config.limits.routeTtl, content: { kind: 'app', payload: Uint8Array.of(1) } } }]);
  });

  it('answers a relayed ping with an ack, and raises relayed-ack for one addressed to us', () => {
    const { ctx, view } = layerContext();
    view.neighbors.add('n');
    const routing = new Routing(ctx);
    routing.onRoute('n', 'p', 'me', 3, { kind: 'ping', seq: 4 });
    expect(takeSent(ctx)).toMatchObject([{ to: 'n', frame: { type: 'route', to: 'p', content: { kind: 'ack', seq: 4 } } }]);
    routing.onRoute('n', 'p', 'me', 3, { kind: 'ack', seq: 4 });
    expect(takeEvents(ctx)).toEqual([{ type: 'relayed-ack', peer: 'p', seq: 4 }]);
  });

  it('with no route an app payload to a live member becomes a broadcast only its addressee delivers', () => {
    const { ctx, view } = layerContext();
    const routing = new Routing(ctx);
    view.statuses.set('far', 'alive');
    routing.sendApp('far', Uint8Array.of(2));
    expect(takeEvents(ctx)).toEqual([{ type: 'publish', body: { kind: 'routed', from: 'me', to: 'far', payload: Uint8Array.of(2) } }]);
    // Nobody the room knows (a newcomer the driver answers over the mesh too): a flood could not reach it.
    routing.sendApp('nobody', Uint8Array.of(2));
    view.statuses.set('gone', 'dead');
    routing.sendApp('gone', Uint8Array.of(2));
    expect(takeEvents(ctx)).toEqual([]);
    expect(() => routing.sendApp('x', new Uint8Array(ctx.config.limits.maxPayloadBytes + 1))).toThrow(/maxPayloadBytes/);
  });
});
