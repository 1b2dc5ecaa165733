/**
 * Caps per remote address and per token, shared by /signal and /y-webrtc:
 * one client (a script behind one address, or one leaked token) must not be
 * able to take every connection or room slot of the instance. Counts are per
 * instance; with Redis each instance caps what it holds.
 */
import type { ResolvedConfig } from './config.js';

/** Who a connection counts against: its remote address and, if it carried one, its token. */
export interface CapKeys {
  address: string;
  token: string | undefined;
  /** False for the server's own keeper, which needs a socket per kept room and is no outside client. */
  capped: boolean;
}

/** Counts per key against a cap; a key's entry goes when its count falls back to 0. */
export class KeyedCounter {
  private readonly counts = new Map<string, number>();

  tryTake(key: string, max: number): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= max) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = this.counts.get(key);
    if (count === undefined) return;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

export interface ClientCaps {
  /** Take a connection slot; on refusal, the reason to close with (4409). */
  takeConnection(keys: CapKeys): string | undefined;
  releaseConnection(keys: CapKeys): void;
  /** Take a room (or topic) slot; on refusal, the message of a MURMUR_TOO_MANY_ROOMS error. */
  takeRoomSlot(keys: CapKeys): string | undefined;
  releaseRoomSlot(keys: CapKeys): void;
}

type Limits = Pick<ResolvedConfig, 'maxConnectionsPerIp' | 'maxConnectionsPerToken' | 'maxRoomSlotsPerIp' | 'maxRoomSlotsPerToken'>;

/** Take from the address, then the token; a refusal by the token gives the address its unit back. */
function takeBoth(byIp: KeyedCounter, byToken: KeyedCounter, keys: CapKeys, maxIp: number, maxToken: number): 'ip' | 'token' | undefined {
  if (!keys.capped) return undefined;
  if (!byIp.tryTake(keys.address, maxIp)) return 'ip';
  if (keys.token !== undefined && !byToken.tryTake(keys.token, maxToken)) {
    byIp.release(keys.address);
    return 'token';
  }
  return undefined;
}

function releaseBoth(byIp: KeyedCounter, byToken: KeyedCounter, keys: CapKeys): void {
  if (!keys.capped) return;
  byIp.release(keys.address);
  if (keys.token !== undefined) byToken.release(keys.token);
}

export function createClientCaps(config: Limits): ClientCaps {
  const connectionsByIp = new KeyedCounter();
  const connectionsByToken = new KeyedCounter();
  const slotsByIp = new KeyedCounter();
  const slotsByToken = new KeyedCounter();
  return {
    takeConnection: (keys) => {
      const over = takeBoth(connectionsByIp, connectionsByToken, keys, config.maxConnectionsPerIp, config.maxConnectionsPerToken);
      if (over === 'ip') return `too many connections from your address (${config.maxConnectionsPerIp})`;
      if (over === 'token') return `too many connections with your token (${config.maxConnectionsPerToken})`;
      return undefined;
    },
    releaseConnection: (keys) => releaseBoth(connectionsByIp, connectionsByToken, keys),
    takeRoomSlot: (keys) => {
      const over = takeBoth(slotsByIp, slotsByToken, keys, config.maxRoomSlotsPerIp, config.maxRoomSlotsPerToken);
      if (over === 'ip') return `your address holds the most rooms it may (${config.maxRoomSlotsPerIp})`;
      if (over === 'token') return `your token holds the most rooms it may (${config.maxRoomSlotsPerToken})`;
      return undefined;
    },
    releaseRoomSlot: (keys) => releaseBoth(slotsByIp, slotsByToken, keys),
  };
}
