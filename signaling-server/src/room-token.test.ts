import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { createRoomToken, verifyRoomToken } from './room-token.js';

const secret = 'test-secret-0123456789';

describe('room tokens', () => {
  it('round-trips claims', () => {
    const token = createRoomToken({ room: 'lobby', expiresAt: 2000 }, secret);
    expect(verifyRoomToken(token, secret, 1999)).toEqual({ ok: true, claims: { room: 'lobby', expiresAt: 2000 } });
    expect(verifyRoomToken(createRoomToken({ room: '*', expiresAt: 5 }, secret), secret, 0)).toMatchObject({ ok: true });
  });

  it.each([
    ['expired', createRoomToken({ room: 'lobby', expiresAt: 1000 }, secret), 'token expired'],
    ['wrong secret', createRoomToken({ room: 'lobby', expiresAt: 9e12 }, 'another-secret-xxxxx'), 'token signature invalid'],
    ['no dot', 'abc', 'token malformed'],
    ['two dots', 'a.b.c', 'token malformed'],
    ['empty payload', '.sig', 'token malformed'],
    ['too long', 'a'.repeat(5000), 'token too long'],
  ])('refuses a token that is %s', (_name, token, reason) => {
    expect(verifyRoomToken(token, secret, 1000)).toEqual({ ok: false, reason });
  });

  it('refuses a tampered payload', () => {
    const token = createRoomToken({ room: 'lobby', expiresAt: 9e12 }, secret);
    const forged = `${Buffer.from(JSON.stringify({ room: '*', exp: 9e12 })).toString('base64url')}.${token.split('.')[1]}`;
    expect(verifyRoomToken(forged, secret, 0)).toEqual({ ok: false, reason: 'token signature invalid' });
  });

  it('refuses bad claims when minting', () => {
    expect(() => createRoomToken({ room: 'bad room!', expiresAt: 1 }, secret)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
    expect(() => createRoomToken({ room: 'ok', expiresAt: 1.5 }, secret)).toThrow(/expiresAt/);
  });

  it('carries an optional peer key claim, and refuses a malformed one', () => {
    const key = 'A'.repeat(43);
    const token = createRoomToken({ room: 'r', expiresAt: 10_000, key }, secret);
    expect(verifyRoomToken(token, secret, 0)).toEqual({ ok: true, claims: { room: 'r', expiresAt: 10_000, key } });
    expect(verifyRoomToken(createRoomToken({ room: 'r', expiresAt: 10_000 }, secret), secret, 0)).toEqual({ ok: true, claims: { room: 'r', expiresAt: 10_000 } });
    expect(() => createRoomToken({ room: 'r', expiresAt: 1, key: 'short' }, secret)).toThrow(/key/);
  });
});
