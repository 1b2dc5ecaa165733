/**
 * Simulated signaling servers (murmur-signal, signaling-server/): a tab
 * reaches the ones that are up, joins the room on each, gets a bootstrap
 * sample in the `joined` reply and hears of every later newcomer
 * (`peer-joined`), both of which the client feeds to its engine as
 * `discovered` (client/src/room-session.ts). A server that stops closes
 * every socket; each tab retries with the real client's jittered exponential
 * backoff (client/src/signaling-client.ts) until it answers again. Signals
 * between two tabs travel through every server both have joined.
 */
import type { PeerId } from '../engine/types.js';
import type { Prng } from '../prng.js';

/** What the servers need from the simulator. */
export interface ServerHost {
  readonly rng: Prng;
  now(): number;
  schedule(at: number, fn: () => void): void;
  latency(): number;
  isUp(id: PeerId): boolean;
  /** Hand peers to a node's engine as `discovered` (the client's 'joined' and 'peer-joined' handlers). */
  discovered(id: PeerId, peers: PeerId[]): void;
  /** A session of `id` joined or lost the room: the client's status may have moved (see `connected`). */
  sessionsChanged(id: PeerId): void;
}

export interface SignalingModel {
  /** Names of the servers the room starts with, all up (default ['default']; [] for none). */
  servers?: readonly string[];
  /** Peers named in a `joined` reply (the server's --sample-size; default 20). */
  sampleSize?: number;
  /** The client's first reconnect delay, ms (signaling-client minBackoffMs, default 500). */
  minBackoffMs?: number;
  /** The client's longest reconnect delay, ms (signaling-client maxBackoffMs, default 5000). */
  maxBackoffMs?: number;
}

interface Server {
  up: boolean;
  /** Tabs joined to the room on this server, in join order. */
  readonly members: Set<PeerId>;
}

/** One tab's socket to one server. */
interface Session {
  /** Bumped whenever the socket is replaced or closed: stale steps of an old attempt check it. */
  epoch: number;
  joined: boolean;
  /** Failures since the last open socket (the backoff exponent). */
  attempts: number;
}

export class SignalingServers {
  private readonly host: ServerHost;
  private readonly servers = new Map<string, Server>();
  private readonly sessions = new Map<PeerId, Map<string, Session>>();
  private readonly sampleSize: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(host: ServerHost, model: SignalingModel) {
    this.host = host;
    this.sampleSize = model.sampleSize ?? 20;
    this.minBackoffMs = model.minBackoffMs ?? 500;
    this.maxBackoffMs = model.maxBackoffMs ?? 5000;
    for (const name of model.servers ?? ['default']) this.add(name);
  }

  add(name: string): void {
    if (this.servers.has(name)) throw new Error(`signaling server ${name} exists already`);
    this.servers.set(name, { up: true, members: new Set() });
    // Tabs already running learn of a new server the way a client configured with it would: they dial it.
    for (const id of this.sessions.keys()) this.open(id, name);
  }

  isUp(name: string): boolean {
    return this.server(name).up;
  }

  names(): string[] {
    return [...this.servers.keys()];
  }

  stop(name: string): void {
    const server = this.server(name);
    if (!server.up) return;
    server.up = false;
    const members = [...server.members];
    server.members.clear();
    // The process is gone: every socket closes (TCP reset) and each client schedules a retry.
    for (const id of members) {
      const session = this.sessions.get(id)?.get(name);
      if (!session) continue;
      session.joined = false;
      session.epoch += 1;
      const epoch = session.epoch;
      this.host.sessionsChanged(id);
      this.host.schedule(this.host.now() + this.host.latency(), () => this.retry(id, name, session, epoch));
    }
  }

  start(name: string): void {
    this.server(name).up = true; // clients come back at their next retry
  }

  /** A tab started: it dials every configured server. */
  nodeStarted(id: PeerId): void {
    const mine = new Map<string, Session>();
    this.sessions.set(id, mine);
    for (const name of this.servers.keys()) this.open(id, name);
  }

  /** A tab left or crashed: its sockets close and the servers drop it. */
  nodeGone(id: PeerId): void {
    const mine = this.sessions.get(id);
    if (!mine) return;
    for (const session of mine.values()) session.epoch += 1;
    this.sessions.delete(id);
    for (const server of this.servers.values()) server.members.delete(id);
  }

  /** Servers `id` is joined on right now. */
  joinedServers(id: PeerId): string[] {
    const out: string[] = [];
    for (const [name, server] of this.servers) if (server.up && server.members.has(id)) out.push(name);
    return out;
  }

  /** Is `id` in the room on at least one server that is up? */
  connected(id: PeerId): boolean {
    for (const server of this.servers.values()) if (server.up && server.members.has(id)) return true;
    return false;
  }

  /** Has `id` had the `joined` reply of a server that is still up (the client's status 'open')? */
  joined(id: PeerId): boolean {
    const mine = this.sessions.get(id);
    if (!mine) return false;
    for (const [name, session] of mine) if (session.joined && this.servers.get(name)?.up === true) return true;
    return false;
  }

  /**
   * Relays one signal from `from` to `to` through every server both are
   * joined on (client → server → client, a latency each way); calls
   * `deliver` for each copy that arrives. False when `from` is joined on no
   * server (the client's `signal()` returns false then).
   */
  relay(from: PeerId, to: PeerId, deliver: () => void): boolean {
    let sent = false;
    for (const server of this.servers.values()) {
      if (!server.up || !server.members.has(from)) continue;
      sent = true;
      const atServer = this.host.now() + this.host.latency();
      this.host.schedule(atServer, () => {
        // The server forwards only to a tab in the room on it.
        if (!server.up || !server.members.has(to)) return;
        this.host.schedule(this.host.now() + this.host.latency(), () => {
          if (this.host.isUp(to)) deliver();
        });
      });
    }
    return sent;
  }

  private server(name: string): Server {
    const server = this.servers.get(name);
    if (!server) throw new Error(`no signaling server ${name}`);
    return server;
  }

  /** One connection attempt: the socket opens (a round trip), `join` goes up, `joined` comes back. */
  private open(id: PeerId, name: string): void {
    const mine = this.sessions.get(id);
    if (!mine) return;
    let session = mine.get(name);
    if (!session) {
      session = { epoch: 0, joined: false, attempts: 0 };
      mine.set(name, session);
    }
    session.epoch += 1;
    const epoch = session.epoch;
    const s = session;
    const server = this.server(name);
    const live = (): boolean => s.epoch === epoch && this.host.isUp(id);
    if (!server.up) {
      // Connection refused: the client hears of it within a round trip and backs off.
      this.host.schedule(this.host.now() + 2 * this.host.latency(), () => {
        if (live()) this.retry(id, name, s, epoch);
      });
      return;
    }
    this.host.schedule(this.host.now() + 2 * this.host.latency(), () => {
      if (!live()) return;
      if (!server.up) return this.retry(id, name, s, epoch);
      s.attempts = 0; // onopen resets the backoff
      this.host.schedule(this.host.now() + this.host.latency(), () => {
        if (!live()) return;
        if (!server.up) return this.retry(id, name, s, epoch);
        const others = [...server.members];
        const sample = this.host.rng.sample(others, this.sampleSize);
        server.members.add(id);
        for (const member of others) {
          this.host.schedule(this.host.now() + this.host.latency(), () => {
            if (server.up && server.members.has(member) && server.members.has(id)) this.host.discovered(member, [id]);
          });
        }
        this.host.schedule(this.host.now() + this.host.latency(), () => {
          if (!live() || !server.up || !server.members.has(id)) return;
          s.joined = true;
          this.host.sessionsChanged(id);
          if (sample.length > 0) this.host.discovered(id, sample);
        });
      });
    });
  }

  /** The socket closed or never opened: reconnect after the client's backoff (full jitter, doubling cap). */
  private retry(id: PeerId, name: string, session: Session, epoch: number): void {
    if (session.epoch !== epoch || !this.host.isUp(id)) return;
    session.joined = false;
    const cap = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** session.attempts);
    session.attempts += 1;
    const delay = this.minBackoffMs / 2 + this.host.rng.next() * cap;
    this.host.schedule(this.host.now() + delay, () => {
      if (session.epoch === epoch) this.open(id, name);
    });
  }
}
