import { describe, expect, it } from 'vitest';
import { RoomTable } from './room-table.js';

describe('RoomTable', () => {
  it('tracks joins, leaves and counts', () => {
    const table = new RoomTable<string>();
    expect(table.join('r1', 'a', 'conn-a')).toBe(true);
    expect(table.join('r1', 'b', 'conn-b')).toBe(true);
    expect(table.join('r2', 'a', 'conn-a')).toBe(true);
    expect(table.roomCount).toBe(2);
    expect(table.peerCount).toBe(3);
    expect(table.lookup('r1', 'b')).toBe('conn-b');
    expect([...table.others('r1', 'a')].map(([p]) => p)).toEqual(['b']);
    expect(table.leave('r2', 'a', 'conn-a')).toBe(true);
    expect(table.roomCount).toBe(1);
  });

  it('refuses a peer id held by another connection, and a leave by a non-holder', () => {
    const table = new RoomTable<string>();
    table.join('r', 'a', 'conn-1');
    expect(table.join('r', 'a', 'conn-2')).toBe(false);
    expect(table.join('r', 'a', 'conn-1')).toBe(true);
    expect(table.leave('r', 'a', 'conn-2')).toBe(false);
    expect(table.lookup('r', 'a')).toBe('conn-1');
  });

  it('samples at most k distinct peers, never the asker', () => {
    const table = new RoomTable<number>();
    for (let i = 0; i < 100; i++) table.join('r', `p${i}`, i);
    let x = 0.37;
    const random = () => (x = (x * 9301 + 0.49297) % 1);
    const picked = table.sample('r', 'p0', 10, random);
    expect(picked).toHaveLength(10);
    expect(new Set(picked).size).toBe(10);
    expect(picked).not.toContain('p0');
    expect(table.sample('r', 'p0', 500, random)).toHaveLength(99);
    expect(table.sample('empty', 'p0', 5, random)).toEqual([]);
  });
});
