import { describe, expect, it } from 'vitest';
import { computeStatus, type StatusInputs } from './status.js';

const base: StatusInputs = { closed: false, members: 0, signaling: 'connecting', linksConnecting: 0, everReachedServer: false };

describe('computeStatus', () => {
  it.each([
    [{}, 'connecting'],
    [{ signaling: 'open', everReachedServer: true }, 'alone'],
    [{ signaling: 'open', everReachedServer: true, linksConnecting: 1 }, 'connecting'],
    [{ members: 2, signaling: 'closed', everReachedServer: true }, 'connected'],
    [{ signaling: 'connecting', everReachedServer: true }, 'disconnected'],
    [{ signaling: 'closed', everReachedServer: true }, 'disconnected'],
    [{ signaling: 'unreachable' }, 'disconnected'],
    [{ signaling: 'unreachable', members: 1 }, 'connected'],
    [{ closed: true, members: 3 }, 'closed'],
  ] as const)('%j → %s', (inputs, expected) => {
    expect(computeStatus({ ...base, ...inputs })).toBe(expected);
  });
});
