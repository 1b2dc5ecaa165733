/**
 * The scenarios' handle on the simulated signaling server ('default', the
 * one every node joins). The simulator's server API (addServer, stopServer,
 * startServer, serverUp) is being added on branch `churn`; until it is
 * merged, a run has no server to stop and says so (`servers_modeled: false`
 * in its row) instead of pretending an outage happened.
 */
import type { Simulator } from '../shared/src/sim/simulator.js';

interface ServerApi {
  stopServer(name: string, at?: number): void;
  startServer(name: string, at?: number): void;
  serverUp(name: string): boolean;
}

export const DEFAULT_SERVER = 'default';

export class ScenarioSignaling {
  private readonly sim: Simulator;
  private readonly api: ServerApi | undefined;

  constructor(sim: Simulator) {
    this.sim = sim;
    const candidate = sim as unknown as Partial<ServerApi>;
    this.api = typeof candidate.stopServer === 'function' && typeof candidate.startServer === 'function' && typeof candidate.serverUp === 'function' ? (candidate as ServerApi) : undefined;
  }

  /** True if the simulator models signaling servers (outages are real). */
  get modeled(): boolean {
    return this.api !== undefined;
  }

  stop(at: number): void {
    this.api?.stopServer(DEFAULT_SERVER, at);
  }

  start(at: number): void {
    this.api?.startServer(DEFAULT_SERVER, at);
  }

  /** Is a server up now (always, in a simulator without servers: every connect then succeeds). */
  up(): boolean {
    return this.api === undefined ? true : this.api.serverUp(DEFAULT_SERVER);
  }

  get now(): number {
    return this.sim.now;
  }
}
