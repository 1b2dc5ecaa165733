import { describe, expect, it } from 'vitest';
import { grantAdmits } from './admission.js';

describe('grantAdmits', () => {
  it.each([
    [undefined, 'any', true],
    ['lobby', 'lobby', true],
    ['lobby', 'elsewhere', false],
    ['lobby', 'lobb', false],
    [new Set(['a', 'b']), 'b', true],
    [new Set(['a', 'b']), 'c', false],
    [new Set<string>(), 'a', false],
  ])('rooms %o admit %s: %s', (rooms, room, admitted) => {
    expect(grantAdmits({ rooms }, room)).toBe(admitted);
  });
});
