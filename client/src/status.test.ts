import { describe, expect, it } from 'vitest';
import { computeStatus, type StatusInputs } from './status.js';

const base: StatusInputs = { closed: false, members: 0, signaling: 'connecting', linksConnecting: 0, linksOpen: 0, everReachedServer: false };

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
    // Cut off after the peers were declared gone: no link, no server. The engine's redials
    // (a handshake with no path for its signals) do not make it 'connecting'.
    [{ signaling: 'closed', everReachedServer: true, members: 0, linksConnecting: 0 }, 'disconnected'],
    [{ signaling: 'connecting', everReachedServer: true, linksConnecting: 1 }, 'disconnected'],
    [{ signaling: 'unreachable', linksConnecting: 2 }, 'disconnected'],
    // An open link still carries HELLO and signals over the mesh.
    [{ signaling: 'closed', everReachedServer: true, linksConnecting: 1, linksOpen: 1 }, 'connecting'],
    // Before the server first answers, a handshake is still the way in.
    [{ signaling: 'connecting', linksConnecting: 1 }, 'connecting'],
  ] as const)('%j → %s', (inputs, expected) => {
    expect(computeStatus({ ...base, ...inputs })).toBe(expected);
  });
});
