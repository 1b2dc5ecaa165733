/**
 * Scale-out through Redis, the way socket.io's Redis adapter does it: each
 * instance keeps its own sockets and shares only what the others need.
 *
 * - Presence: hash `{prefix}room:{room}` maps peer id → instance id. A Lua
 *   script claims an id atomically, so "peer id taken" and "room full" hold
 *   across instances.
 * - Join/leave notices: one channel `{prefix}events` every instance
 *   subscribes to at start, so no per-room subscribe can race a join.
 * - Addressed relay: `{prefix}inst:{id}`, one channel per instance; a signal
 *   goes only to the instance holding the target.
 * - y-webrtc publishes: one channel `{prefix}ywebrtc` every instance
 *   subscribes to; each hands what the others published to its local
 *   subscribers of the topic.
 * - Liveness: `{prefix}alive:{id}` with a TTL, refreshed by a heartbeat. Ids
 *   held by a dead instance are swept when someone looks at the room, and a
 *   relay that reaches no subscriber removes its stale target. Dead means both
 *   signs are gone, checked atomically with the delete (SWEEP_SCRIPT): a
 *   lapsed key alone (a stalled heartbeat, a long GC pause) is no proof while
 *   the instance still listens on its channel, and another instance must not
 *   hand that instance's peer ids to someone else.
 */
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../../shared/src/signaling.js';
import type { Logger } from './logger.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';

export type ClaimResult = 'ok' | 'taken' | 'full';

export interface RemoteNotice {
  kind: 'peer-joined' | 'peer-left';
  room: string;
  peer: string;
}

export interface RemoteSignal {
  room: string;
  from: string;
  to: string;
  data: JsonValue;
}

export interface RedisBusOptions {
  url: string;
  prefix: string;
  log: Logger;
  onNotice: (notice: RemoteNotice) => void;
  onSignal: (signal: RemoteSignal) => void;
  /** A y-webrtc publish from another instance. */
  onTopic?: (topic: string, data: JsonValue) => void;
  /** Liveness key TTL in ms; the heartbeat refreshes it every third of that. Default 15,000. */
  aliveTtlMs?: number;
}

export interface RedisBus {
  readonly instanceId: string;
  /** True while both Redis connections are ready. */
  ready(): boolean;
  /** Claim `peer` in `room` for this instance, unless another instance holds it or the room is full. */
  claim(room: string, peer: string, maxPeers: number): Promise<ClaimResult>;
  /** Every live peer in `room`, on any instance. Sweeps ids held by dead instances. */
  peers(room: string): Promise<string[]>;
  /** Tell the other instances that a local peer joined. */
  announceJoin(room: string, peer: string): Promise<void>;
  /** Drop this instance's claim and tell the others. */
  release(room: string, peer: string): Promise<void>;
  /** Relay to a peer held by another instance; false when no live instance holds it. */
  relay(signal: RemoteSignal): Promise<boolean>;
  /** Hand a y-webrtc publish to the other instances. */
  publishTopic(topic: string, data: JsonValue): Promise<void>;
  close(): Promise<void>;
}

// Returns 1 claimed, 0 held by another instance, -1 room full.
const CLAIM_SCRIPT = `
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder and holder ~= ARGV[2] then return 0 end
if not holder and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

// Delete only if this instance still holds the id, so a late release never removes a newer claim.
const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

// Delete a claim of another instance only if that instance is dead: no liveness key AND no
// subscriber on its channel, checked in the same atomic step as the delete, so an instance
// that comes back between a check and the delete cannot lose its ids. 1 removed, 0 kept.
const SWEEP_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if tonumber(redis.call('PUBSUB', 'NUMSUB', ARGV[3])[2]) > 0 then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])`;

/**
 * ioredis is an optional peer dependency, loaded only when a server is
 * started with a Redis URL: installs that never scale out do not carry it.
 */
async function loadRedis(): Promise<typeof import('ioredis').Redis> {
  try {
    return (await import('ioredis')).Redis;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new MurmurError(ErrorCode.BAD_CONFIG, 'redisUrl (--redis) needs the ioredis package: npm install ioredis');
  }
}

export async function createRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const { prefix, log } = options;
  const aliveTtlMs = options.aliveTtlMs ?? 15_000;
  const instanceId = randomBytes(8).toString('hex');
  const redisOptions = {
    // Fail a command quickly instead of queueing it forever while Redis is away:
    // the client gets MURMUR_UNAVAILABLE and can retry.
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    lazyConnect: true,
  };
  const Redis = await loadRedis();
  const commands = new Redis(options.url, redisOptions);
  const subscriber = new Redis(options.url, redisOptions);
  for (const [name, client] of [['commands', commands], ['subscriber', subscriber]] as const) {
    client.on('error', (error: Error) => log({ level: 'warn', msg: 'redis error', connection: name, error: error.message }));
  }
  const eventsChannel = `${prefix}events`;
  const ownChannel = `${prefix}inst:${instanceId}`; // = instanceChannel(instanceId)
  const topicChannel = `${prefix}ywebrtc`;
  const aliveKey = (id: string) => `${prefix}alive:${id}`;
  const roomKey = (room: string) => `${prefix}room:${room}`;
  const instanceChannel = (id: string) => `${prefix}inst:${id}`;
  const held = new Map<string, Set<string>>(); // room → peers this instance claimed

  subscriber.on('message', (channel: string, text: string) => {
    try {
      const message = JSON.parse(text) as Record<string, unknown>;
      if (channel === eventsChannel) {
        if (message.o === instanceId) return;
        const kind = message.k === 'j' ? 'peer-joined' : 'peer-left';
        options.onNotice({ kind, room: String(message.r), peer: String(message.p) });
      } else if (channel === topicChannel) {
        if (message.o !== instanceId) options.onTopic?.(String(message.t), message.d as JsonValue);
      } else if (channel === ownChannel) {
        options.onSignal({
          room: String(message.r),
          from: String(message.f),
          to: String(message.t),
          data: message.d as JsonValue,
        });
      }
    } catch (error) {
      log({ level: 'warn', msg: 'bad message on redis channel', channel, error: String(error) });
    }
  });

  await Promise.all([commands.connect(), subscriber.connect()]);
  await subscriber.subscribe(eventsChannel, ownChannel, topicChannel);
  await commands.set(aliveKey(instanceId), '1', 'PX', aliveTtlMs);
  const heartbeat = setInterval(() => {
    commands.set(aliveKey(instanceId), '1', 'PX', aliveTtlMs).catch((error: unknown) => {
      log({ level: 'warn', msg: 'redis heartbeat failed', error: String(error) });
    });
  }, Math.max(100, Math.floor(aliveTtlMs / 3)));
  heartbeat.unref();

  const publishNotice = async (kind: 'j' | 'l', room: string, peer: string) => {
    await commands.publish(eventsChannel, JSON.stringify({ o: instanceId, k: kind, r: room, p: peer }));
  };

  /** Remove ids whose instance is dead (liveness key expired and nobody on its channel), and announce them gone. */
  const sweep = async (room: string, entries: Record<string, string>): Promise<string[]> => {
    const instances = [...new Set(Object.values(entries))].filter((id) => id !== instanceId);
    if (instances.length === 0) return Object.keys(entries);
    const alive = await commands.mget(...instances.map(aliveKey));
    const dead = new Set(instances.filter((_, i) => alive[i] === null));
    if (dead.size === 0) return Object.keys(entries);
    const live: string[] = [];
    const swept = new Set<string>();
    for (const [peer, holder] of Object.entries(entries)) {
      if (!dead.has(holder)) {
        live.push(peer);
        continue;
      }
      if ((await commands.eval(SWEEP_SCRIPT, 2, roomKey(room), aliveKey(holder), peer, holder, instanceChannel(holder))) === 1) {
        swept.add(holder);
        await publishNotice('l', room, peer);
        // Our own subscribers do not hear our notices; deliver this one locally too.
        options.onNotice({ kind: 'peer-left', room, peer });
      } else {
        // Its key lapsed but it still listens: it is alive and keeps its ids.
        live.push(peer);
      }
    }
    if (swept.size > 0) log({ level: 'info', msg: 'swept peers of dead instances', room, instances: [...swept] });
    return live;
  };

  const claimOnce = async (room: string, peer: string, maxPeers: number): Promise<number> =>
    Number(await commands.eval(CLAIM_SCRIPT, 1, roomKey(room), peer, instanceId, String(maxPeers)));

  return {
    instanceId,
    ready: () => commands.status === 'ready' && subscriber.status === 'ready',
    claim: async (room, peer, maxPeers) => {
      let result = await claimOnce(room, peer, maxPeers);
      if (result !== 1) {
        // The holder or the crowd may be a dead instance's leftovers: sweep, then try once more.
        await sweep(room, await commands.hgetall(roomKey(room)));
        result = await claimOnce(room, peer, maxPeers);
      }
      if (result === 1) {
        let peers = held.get(room);
        if (!peers) held.set(room, (peers = new Set()));
        peers.add(peer);
        return 'ok';
      }
      return result === 0 ? 'taken' : 'full';
    },
    peers: async (room) => sweep(room, await commands.hgetall(roomKey(room))),
    announceJoin: (room, peer) => publishNotice('j', room, peer),
    release: async (room, peer) => {
      const peers = held.get(room);
      peers?.delete(peer);
      if (peers?.size === 0) held.delete(room);
      if ((await commands.eval(RELEASE_SCRIPT, 1, roomKey(room), peer, instanceId)) === 1) {
        await publishNotice('l', room, peer);
      }
    },
    relay: async (signal) => {
      const holder = await commands.hget(roomKey(signal.room), signal.to);
      if (holder === null || holder === instanceId) return false;
      const text = JSON.stringify({ r: signal.room, f: signal.from, t: signal.to, d: signal.data });
      const receivers = await commands.publish(instanceChannel(holder), text);
      if (receivers > 0) return true;
      // Nobody listens on that instance's channel: it is gone. Sweep the room so its ids go too.
      await sweep(signal.room, await commands.hgetall(roomKey(signal.room)));
      return false;
    },
    publishTopic: async (topic, data) => {
      await commands.publish(topicChannel, JSON.stringify({ o: instanceId, t: topic, d: data }));
    },
    close: async () => {
      clearInterval(heartbeat);
      try {
        for (const [room, peers] of held) {
          for (const peer of peers) {
            if ((await commands.eval(RELEASE_SCRIPT, 1, roomKey(room), peer, instanceId)) === 1) {
              await publishNotice('l', room, peer);
            }
          }
        }
        held.clear();
        await commands.del(aliveKey(instanceId));
        await Promise.all([subscriber.quit(), commands.quit()]);
      } catch (error) {
        log({ level: 'warn', msg: 'redis close failed', error: String(error) });
        subscriber.disconnect();
        commands.disconnect();
      }
    },
  };
}
