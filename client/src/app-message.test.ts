import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { MAX_MESSAGE_BYTES, checkMessage } from './app-message.js';

const circular: { self?: unknown } = {};
circular.self = circular;

describe('checkMessage', () => {
  it('accepts JSON and bytes, to everyone or one peer', () => {
    expect(checkMessage('t', { a: [1, 'x', null] }, undefined, 'me')).toEqual({ topic: 't', data: { a: [1, 'x', null] }, to: undefined });
    expect(checkMessage('t', Uint8Array.of(1), { to: 'you' }, 'me')).toEqual({ topic: 't', data: Uint8Array.of(1), to: 'you' });
    expect(checkMessage('t', new Date(0) as never, {}, 'me').data).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['', 1, undefined, /topic/],
    ['x'.repeat(257), 1, undefined, /topic/],
    [7, 1, undefined, /topic/],
    ['t', undefined, undefined, /JSON-serializable/],
    ['t', circular, undefined, /JSON-serializable/],
    ['t', 'x'.repeat(MAX_MESSAGE_BYTES), undefined, /limit/],
    ['t', 1, 'peer', /options/],
    ['t', 1, { to: 5 }, /options\.to/],
    ['t', 1, { to: 'me' }, /itself/],
  ])('refuses topic %s data %s options %s', (topic, data, options, message) => {
    expect(() => checkMessage(topic, data, options, 'me')).toThrow(message);
    expect(() => checkMessage(topic, data, options, 'me')).toThrow(expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }));
  });
});
