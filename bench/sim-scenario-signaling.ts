/**
 * The scenarios' handle on the simulated signaling server ('default', the
 * one every node joins): outages stop and start it through the simulator,
 * which then refuses every handshake that cannot travel (no common server
 * up and no route over the mesh) and makes tabs rejoin with the client's
 * backoff.
 */
import type { Simulator } from '../shared/src/sim/simulator.js';

export const DEFAULT_SERVER = 'default';

export class ScenarioSignaling {
  private readonly sim: Simulator;

  constructor(sim: Simulator) {
    this.sim = sim;
  }

  /** The simulator models signaling servers (outages are real). Kept in the row for older comparisons. */
  get modeled(): boolean {
    return this.sim.serverNames().includes(DEFAULT_SERVER);
  }

  stop(at: number): void {
    this.sim.stopServer(DEFAULT_SERVER, at);
  }

  start(at: number): void {
    this.sim.startServer(DEFAULT_SERVER, at);
  }

  /** Is a server up now. */
  up(): boolean {
    return this.sim.serverNames().some((name) => this.sim.serverUp(name));
  }
}
