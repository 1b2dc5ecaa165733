/**
 * A lit ReactiveController over a Room: subscribes in hostConnected,
 * unsubscribes in hostDisconnected, and asks the host to re-render on any
 * membership or presence change. Elements stay pure views.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerInfo, Room } from '../src/index.js';

export class RoomController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly room: Room;
  private unsubscribe: Array<() => void> = [];

  constructor(host: ReactiveControllerHost, room: Room) {
    this.host = host;
    this.room = room;
    host.addController(this);
  }

  get peers(): PeerInfo[] {
    return [...this.room.peers.values()];
  }

  hostConnected(): void {
    const update = () => this.host.requestUpdate();
    this.unsubscribe = [this.room.on('peer-join', update), this.room.on('peer-leave', update), this.room.on('presence', update)];
  }

  hostDisconnected(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }
}
