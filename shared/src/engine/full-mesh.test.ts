import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../errors.js';
import { FullMeshEngine } from './full-mesh.js';
import type { EngineOutput } from './types.js';

/** Wire two engines together by hand: feed each one's sends into the other. */
function pair() {
  const a = new FullMeshEngine({ selfId: 'a', presenceThrottleMs: 50 });
  const b = new FullMeshEngine({ selfId: 'b', presenceThrottleMs: 50 });
  const deliver = (from: FullMeshEngine, to: FullMeshEngine, outputs: EngineOutput[], now: number): EngineOutput[] =>
    outputs.flatMap((o) => (o.type === 'send' ? to.handle({ type: 'receive', from: from.selfId, bytes: o.bytes }, now) : []));
  return { a, b, deliver };
}

describe('FullMeshEngine', () => {
  it('connects to discovered peers, greets on link-up and joins members on hello', () => {
    const { a, b, deliver } = pair();
    expect(a.handle({ type: 'discovered', peers: ['b', 'a'] }, 0)).toEqual([{ type: 'connect', peer: 'b' }]);
    a.handle({ type: 'set-presence', presence: { name: 'ann' } }, 0);
    const fromB = deliver(a, b, a.handle({ type: 'link-up', peer: 'b' }, 1), 1);
    b.handle({ type: 'link-up', peer: 'a' }, 1);
    const fromBAgain = deliver(a, b, a.handle({ type: 'link-up', peer: 'b' }, 1), 1);
    expect([...fromB, ...fromBAgain]).toContainEqual({ type: 'peer-join', peer: 'a', presence: { name: 'ann' } });
  });

  it('coalesces presence updates within the throttle window', () => {
    const { a } = pair();
    a.handle({ type: 'link-up', peer: 'b' }, 0);
    const first = a.handle({ type: 'set-presence', presence: { x: 1 } }, 100);
    expect(first.filter((o) => o.type === 'send')).toHaveLength(1);
    const second = a.handle({ type: 'set-presence', presence: { x: 2 } }, 110);
    expect(second).toEqual([{ type: 'set-timer', timer: 'presence', at: 150 }]);
    a.handle({ type: 'set-presence', presence: { x: 3 } }, 120);
    const flushed = a.handle({ type: 'timer', timer: 'presence' }, 150);
    expect(flushed.filter((o) => o.type === 'send')).toHaveLength(1);
    expect(a.handle({ type: 'timer', timer: 'presence' }, 200)).toEqual([]);
  });

  it('says goodbye to every link on leave and the other side drops it as left', () => {
    const { a, b, deliver } = pair();
    a.handle({ type: 'link-up', peer: 'b' }, 0);
    b.handle({ type: 'link-up', peer: 'a' }, 0);
    deliver(a, b, a.handle({ type: 'set-presence', presence: {} }, 0), 0);
    const out = deliver(a, b, a.handle({ type: 'leave' }, 10), 10);
    expect(out).toContainEqual({ type: 'peer-leave', peer: 'a', reason: 'left' });
  });

  it('routes a direct payload to a neighbour and delivers broadcasts once', () => {
    const { a, b, deliver } = pair();
    a.handle({ type: 'link-up', peer: 'b' }, 0);
    b.handle({ type: 'link-up', peer: 'a' }, 0);
    deliver(a, b, a.handle({ type: 'set-presence', presence: {} }, 0), 0);
    const routed = deliver(a, b, a.handle({ type: 'route', to: 'b', payload: Uint8Array.of(7) }, 1), 1);
    expect(routed).toEqual([{ type: 'routed', from: 'a', payload: Uint8Array.of(7) }]);
    const delivered = deliver(a, b, a.handle({ type: 'broadcast', payload: Uint8Array.of(9) }, 1), 1);
    expect(delivered).toEqual([{ type: 'deliver', from: 'a', payload: Uint8Array.of(9) }]);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['unknown kind', Uint8Array.of(200)],
    ['truncated presence', Uint8Array.of(2, 1, 10, 123)],
    ['presence that is not JSON', Uint8Array.of(2, 1, 3, 0x61, 0x62, 0x63)],
    ['presence that is an array', Uint8Array.of(2, 1, 2, 0x5b, 0x5d)],
  ])('reports %s bytes as malformed without throwing', (_name, bytes) => {
    const { a } = pair();
    a.handle({ type: 'link-up', peer: 'b' }, 0);
    const out = a.handle({ type: 'receive', from: 'b', bytes }, 1);
    expect(out).toEqual([expect.objectContaining({ type: 'malformed', from: 'b', code: ErrorCode.BAD_WIRE })]);
  });
});
