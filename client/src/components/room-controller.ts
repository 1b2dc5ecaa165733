/**
 * A lit ReactiveController over a Room that may be set (or replaced) at any
 * time: subscribes in hostConnected, unsubscribes in hostDisconnected, and
 * calls requestUpdate on membership, presence and status changes. Elements
 * read `controller.peers`/`controller.room` and only render.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerInfo, Room } from '../index.js';

export interface RoomControllerOptions {
  /** Also re-render on `room.awareness` 'change'. Default false. */
  awareness?: boolean;
  /** Also re-render this often, ms (for views of counters). Default: never. */
  tickMs?: number;
  /** Called on every event before the re-render, e.g. to record departures. */
  onLeave?: (peer: PeerInfo, reason: 'left' | 'dead') => void;
}

export class RoomController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly options: RoomControllerOptions;
  private current: Room | null = null;
  private connected = false;
  private unsubscribe: Array<() => void> = [];

  constructor(host: ReactiveControllerHost, options: RoomControllerOptions = {}) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  get room(): Room | null {
    return this.current;
  }

  /** Point the controller at another room (or none); resubscribes if connected. */
  set room(room: Room | null) {
    if (room === this.current) return;
    this.detach();
    this.current = room;
    if (this.connected) this.attach();
    this.host.requestUpdate();
  }

  get peers(): PeerInfo[] {
    return this.current ? [...this.current.peers.values()] : [];
  }

  hostConnected(): void {
    this.connected = true;
    this.attach();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.detach();
  }

  private attach(): void {
    const room = this.current;
    if (!room || room.status === 'closed') return;
    const update = () => this.host.requestUpdate();
    this.unsubscribe = [
      room.on('peer-join', update),
      room.on('peer-leave', (peer, reason) => {
        this.options.onLeave?.(peer, reason);
        update();
      }),
      room.on('presence', update),
      room.on('status', update),
    ];
    if (this.options.awareness) {
      room.awareness.on('change', update);
      this.unsubscribe.push(() => room.awareness.off('change', update));
    }
    if (this.options.tickMs) {
      const timer = setInterval(update, this.options.tickMs);
      this.unsubscribe.push(() => clearInterval(timer));
    }
  }

  private detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }
}
