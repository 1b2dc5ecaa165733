import { describe, expect, it } from 'vitest';
import type { EngineOutput } from '../engine/types.js';
import { ErrorCode, MurmurError } from '../errors.js';
import { createPrng } from '../prng.js';
import { Room } from '../sim/room.js';
import { signedData, simTrust } from '../sim/sim-trust.js';
import { GossipEngine } from './gossip-engine.js';
import { decodeFrame, encodeFrame, encodeGossipFrame } from './wire/frames.js';
import { encodeGossipBody } from './wire/gossip-body.js';
import { DEFAULT_WIRE_LIMITS } from './wire/limits.js';

function engine(id: string): GossipEngine {
  return new GossipEngine({ selfId: id, rng: createPrng(7), trust: simTrust(id) });
}

function sends(outputs: EngineOutput[]): Array<{ to: string; type: string }> {
  return outputs.flatMap((o) => (o.type === 'send' ? [{ to: o.to, type: decodeFrame(o.bytes, DEFAULT_WIRE_LIMITS).type }] : []));
}

/** Delivers every send between two engines until quiet (no loss, no latency). */
function pump(engines: Record<string, GossipEngine>, first: Array<[string, EngineOutput]>, now: number): Array<[string, EngineOutput]> {
  const events: Array<[string, EngineOutput]> = [];
  const queue = [...first];
  while (queue.length > 0) {
    const [at, output] = queue.shift() as [string, EngineOutput];
    events.push([at, output]);
    if (output.type === 'send' && engines[output.to]) {
      for (const next of (engines[output.to] as GossipEngine).handle({ type: 'receive', from: at, bytes: output.bytes }, now)) queue.push([output.to, next]);
    }
  }
  return events;
}

describe('GossipEngine', () => {
  it('asks for a link to a discovered peer, handshakes, and announces the member', () => {
    const a = engine('a');
    const b = engine('b');
    a.handle({ type: 'start' }, 0);
    b.handle({ type: 'start' }, 0);
    expect(a.handle({ type: 'discovered', peers: ['b', 'a'] }, 1)).toEqual([{ type: 'connect', peer: 'b' }]);
    const up = [...a.handle({ type: 'link-up', peer: 'b' }, 2).map((o): [string, EngineOutput] => ['a', o]), ...b.handle({ type: 'link-up', peer: 'a' }, 2).map((o): [string, EngineOutput] => ['b', o])];
    expect(sends(up.map(([, o]) => o))).toEqual([{ to: 'b', type: 'hello' }]);
    const events = pump({ a, b }, up, 3);
    const joins = events.filter(([, o]) => o.type === 'peer-join').map(([at, o]) => [at, o.type === 'peer-join' && o.peer]);
    expect(joins).toEqual(expect.arrayContaining([['a', 'b'], ['b', 'a']]));
    expect(a.snapshot().active).toEqual(['b']);
    expect(b.snapshot().active).toEqual(['a']);
    expect(a.snapshot().members).toEqual([{ peer: 'b', status: 'alive', incarnation: 0, presenceVersion: 0 }]);
  });

  it('turns bad bytes into a malformed output and never throws', () => {
    const a = engine('a');
    a.handle({ type: 'start' }, 0);
    a.handle({ type: 'link-up', peer: 'x' }, 1);
    const outputs = a.handle({ type: 'receive', from: 'x', bytes: Uint8Array.of(200, 1, 2) }, 2);
    expect(outputs).toEqual([expect.objectContaining({ type: 'malformed', from: 'x', code: ErrorCode.BAD_WIRE })]);
    expect(a.snapshot().stats.malformed).toBe(1);
  });

  it('ignores bytes from a peer it has no link with', () => {
    const a = engine('a');
    expect(a.handle({ type: 'receive', from: 'ghost', bytes: Uint8Array.of(13) }, 1)).toEqual([]);
  });

  it('refuses oversized presence from the app with a typed error', () => {
    const a = new GossipEngine({ selfId: 'a', rng: createPrng(1), trust: simTrust('a'), limits: { maxPresenceBytes: 16 } });
    expect(() => a.handle({ type: 'set-presence', presence: { name: 'a much too long name' } }, 0)).toThrow(MurmurError);
  });

  it('says goodbye to every neighbour on leave, then goes quiet', () => {
    const room = new Room({ seed: 5 });
    for (const id of ['a', 'b', 'c', 'd']) room.sim.join(id, 0);
    room.sim.runUntil(5000);
    const a = room.engine('a');
    const neighbours = [...a.neighbors()].sort();
    expect(neighbours).toEqual(['b', 'c', 'd']);
    const outputs = a.handle({ type: 'leave' }, room.sim.now);
    expect(sends(outputs).filter((s) => s.type === 'gossip').map((s) => s.to).sort()).toEqual(neighbours);
    expect(outputs.filter((o) => o.type === 'disconnect').map((o) => o.type === 'disconnect' && o.peer).sort()).toEqual(neighbours);
    expect(a.handle({ type: 'start' }, room.sim.now + 1)).toEqual([]);
  });

  it('coalesces presence updates to one broadcast per throttle period', () => {
    const room = new Room({ seed: 6 });
    room.sim.join('a', 0);
    room.sim.join('b', 0);
    room.sim.runUntil(3000);
    let presenceFrames = 0;
    room.sim.observers.push({
      onSend: (from, _to, bytes) => {
        const frame = decodeFrame(bytes, DEFAULT_WIRE_LIMITS);
        if (from === 'a' && frame.type === 'gossip' && frame.body.kind === 'presence') presenceFrames += 1;
      },
    });
    for (let i = 0; i < 20; i++) room.sim.command('a', { type: 'set-presence', presence: { x: i } }, 3000 + i * 5);
    room.sim.runUntil(4000);
    expect(presenceFrames).toBeGreaterThanOrEqual(2);
    expect(presenceFrames).toBeLessThanOrEqual(3);
    expect(room.views.get('b')?.get('a')).toEqual({ x: 19 });
  });

  it('tells a peer it holds dead that says HELLO, and the peer refutes', () => {
    const a = engine('a');
    a.handle({ type: 'start' }, 0);
    a.handle({ type: 'link-up', peer: 'y' }, 1);
    a.handle({ type: 'receive', from: 'y', bytes: encodeGossipFrame('y', 1, 1, encodeGossipBody({ kind: 'dead', peer: 'x', incarnation: 5 })) }, 2);
    expect(a.member('x')?.status).toBe('dead');
    // x never heard the verdict (a slow tab whose links were all dropped) and dials a again.
    a.handle({ type: 'link-up', peer: 'x' }, 3);
    const hello = encodeFrame({ type: 'hello', version: 1, intent: 'low', incarnation: 5 });
    const toX = a.handle({ type: 'receive', from: 'x', bytes: hello }, 4).flatMap((o) => (o.type === 'send' && o.to === 'x' ? [o.bytes] : []));
    const told = toX.find((bytes) => decodeFrame(bytes, DEFAULT_WIRE_LIMITS).type === 'records');
    expect(told && decodeFrame(told, DEFAULT_WIRE_LIMITS)).toMatchObject({ records: [expect.objectContaining({ peer: 'x', status: 'dead', incarnation: 5 })] });

    const x = new GossipEngine({ selfId: 'x', rng: createPrng(3), trust: simTrust('x'), initialIncarnation: 5 });
    x.handle({ type: 'start' }, 0);
    x.handle({ type: 'link-up', peer: 'a' }, 3);
    x.handle({ type: 'receive', from: 'a', bytes: told as Uint8Array }, 5);
    expect(x.snapshot().incarnation).toBe(6);
  });

  it('judges a member it can no longer reach when nobody else probes it (its last link ended in a goodbye, then every dial fails)', () => {
    const a = engine('a');
    const timers = new Map<string, number>();
    const outputs: EngineOutput[] = [];
    const feed = (input: Parameters<GossipEngine['handle']>[0], now: number) => {
      for (const output of a.handle(input, now)) {
        if (output.type === 'set-timer') timers.set(output.timer, output.at);
        else if (output.type === 'clear-timer') timers.delete(output.timer);
        else outputs.push(output);
      }
    };
    feed({ type: 'start' }, 0);
    feed({ type: 'link-up', peer: 'b' }, 1);
    feed({ type: 'receive', from: 'b', bytes: encodeFrame({ type: 'hello', version: 1, intent: 'join', incarnation: 0 }) }, 2);
    expect(a.member('b')?.status).toBe('alive');
    // b drops the link politely (an eviction, say): no reason to check it then.
    feed({ type: 'receive', from: 'b', bytes: encodeFrame({ type: 'disconnect' }) }, 3);
    // Then b's tab dies: every link a asks for fails, and nobody else would ever probe b.
    let now = 3;
    while (now < 60_000 && a.member('b')?.status !== 'dead') {
      const [timer, at] = [...timers].sort((x, y) => x[1] - y[1])[0] as [string, number];
      timers.delete(timer);
      now = Math.max(now, at);
      feed({ type: 'timer', timer }, now);
      for (const output of outputs.splice(0)) {
        if (output.type === 'connect') feed({ type: 'link-down', peer: output.peer }, now + 100);
      }
    }
    expect(a.member('b')?.status).toBe('dead');
    expect(now).toBeLessThan(20_000);
  });

  it('closes a link the remote opened but never said HELLO over, and keeps one that did', () => {
    const a = engine('a');
    const timers = new Map<string, number>();
    const disconnects: Array<{ peer: string; at: number }> = [];
    const feed = (input: Parameters<GossipEngine['handle']>[0], now: number) => {
      for (const output of a.handle(input, now)) {
        if (output.type === 'set-timer') timers.set(output.timer, output.at);
        else if (output.type === 'clear-timer') timers.delete(output.timer);
        else if (output.type === 'disconnect') disconnects.push({ peer: output.peer, at: now });
      }
    };
    feed({ type: 'start' }, 0);
    // Two peers open links to a: one says HELLO, the other gave its request up while negotiating and never will.
    feed({ type: 'link-up', peer: 'talker' }, 10);
    feed({ type: 'link-up', peer: 'silent' }, 10);
    feed({ type: 'receive', from: 'talker', bytes: encodeFrame({ type: 'hello', version: 1, intent: 'join', incarnation: 0 }) }, 20);
    let now = 20;
    while (now < 30_000) {
      const [timer, at] = [...timers].sort((x, y) => x[1] - y[1])[0] as [string, number];
      timers.delete(timer);
      now = Math.max(now, at);
      feed({ type: 'timer', timer }, now);
      // The talker answers a's probes, so it stays a live neighbour.
      if (timer === 'probe') feed({ type: 'receive', from: 'talker', bytes: encodeFrame({ type: 'ping', seq: 1, suspected: false, digest: [] }) }, now);
    }
    expect(disconnects.map((d) => d.peer)).toEqual(['silent']);
    expect(disconnects[0]!.at).toBeGreaterThan(5000);
    expect(disconnects[0]!.at).toBeLessThan(7500);
    expect(a.snapshot().active).toEqual(['talker']);
  });

  it('drops a broadcast that has travelled more than 64 hops (a copy of a long-forgotten message must not circle the room)', () => {
    const a = engine('a');
    a.handle({ type: 'start' }, 0);
    a.handle({ type: 'link-up', peer: 'x' }, 1);
    const body = (seq: number) => signedData('o', seq, Uint8Array.of(7));
    const delivered = (outputs: EngineOutput[]) => outputs.filter((o) => o.type === 'deliver').length;
    expect(delivered(a.handle({ type: 'receive', from: 'x', bytes: encodeGossipFrame('o', 1, 64, body(1)) }, 2))).toBe(1);
    expect(delivered(a.handle({ type: 'receive', from: 'x', bytes: encodeGossipFrame('o', 2, 65, body(2)) }, 3))).toBe(0);
    expect(a.snapshot().stats.duplicates).toBe(1);
  });
});
