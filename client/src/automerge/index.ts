/**
 * `murmur-mesh/automerge`: an automerge-repo network adapter over a murmur
 * room, so a Repo syncs documents across tabs and Node peers over the mesh.
 *
 *   const room = joinRoom('notes', { signaling });
 *   const repo = new Repo({ network: [new MurmurNetworkAdapter(room)] });
 *
 * Each repo says 'arrive' to the room when it connects, and to each member
 * that joins later; every connected repo answers 'welcome' to it alone, and
 * both sides emit peer-candidate once. Sync
 * messages then travel peer-addressed (`room.broadcast(topic, bytes, { to })`),
 * routed over the mesh when there is no direct link. A murmur peer that
 * leaves or dies takes its repo with it (peer-disconnected). Nothing here is
 * a server role: any two peers of the room sync with each other.
 */
import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from '@automerge/automerge-repo/slim';
import { ErrorCode, MurmurError } from '../../../shared/src/errors.js';
import type { PeerId as MurmurPeerId } from '../../../shared/src/engine/types.js';
import type { RoomMessage } from '../app-message.js';
import type { Room } from '../room.js';
import { MessageAssembler, splitMessage } from './parts.js';
import { Reliable } from './reliable.js';
import { AUTOMERGE_TOPIC, decodeFrame, encodeFrame, type AdapterFrame } from './frames.js';

/** The part of a Room the adapter uses (a Room from `joinRoom`, browser or `murmur-mesh/node`). */
export type AdapterRoom = Pick<Room, 'selfId' | 'peers' | 'status' | 'broadcast' | 'on'>;

export interface MurmurNetworkAdapterOptions {
  /**
   * How long `whenReady()` waits for the room's current members to answer
   * before it resolves anyway (members without an adapter never answer), ms. Default 2,000.
   */
  readyTimeoutMs?: number;
  /** How often unacknowledged messages are sent again, ms. Default 1,000. */
  retransmitMs?: number;
}

export class MurmurNetworkAdapter extends NetworkAdapter {
  private readonly room: AdapterRoom;
  private readonly readyTimeoutMs: number;
  /** Remote repos by automerge peer id → the murmur peer that runs them. */
  private readonly remotes = new Map<PeerId, MurmurPeerId>();
  private readonly assembler = new MessageAssembler();
  private connected = false;
  private ready = false;
  private readyWaiters: Array<() => void> = [];
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  /** Murmur peers present at connect() that have not answered yet. */
  private awaiting = new Set<MurmurPeerId>();
  private nextMessageId = 0;
  private readonly unsubscribe: Array<() => void>;
  private readonly reliable: Reliable;

  constructor(room: AdapterRoom, options: MurmurNetworkAdapterOptions = {}) {
    super();
    if (typeof room !== 'object' || room === null || typeof room.broadcast !== 'function' || typeof room.on !== 'function') {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, 'MurmurNetworkAdapter needs a room from joinRoom()');
    }
    this.room = room;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 2000;
    this.reliable = new Reliable({
      encode: (e, s, m) => splitMessage(encodeFrame({ k: 'msg', e, s, m }), () => this.nextMessageId++),
      transmit: (to, pieces) => {
        for (const piece of pieces) this.sendFrame(piece, to);
      },
      ack: (to, e, s) => this.sendFrame({ k: 'ack', e, s }, to),
      deliver: (_from, message) => this.emit('message', message),
      retransmitMs: options.retransmitMs ?? 1000,
    });
    this.unsubscribe = [
      room.on('message', (message) => this.onRoomMessage(message)),
      // A member that joins after connect() never heard our arrive (it was not there): say it again, to it.
      room.on('peer-join', (peer) => {
        if (this.connected && this.peerId !== undefined) this.sendFrame({ k: 'arrive', peerId: this.peerId, meta: this.peerMetadata ?? {} }, peer.id);
      }),
      room.on('peer-leave', (peer) => this.onMurmurPeerGone(peer.id)),
      room.on('status', (status) => {
        if (status === 'closed') this.onRoomClosed();
        else this.checkReady();
      }),
    ];
  }

  isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.connected = true;
    this.awaiting = new Set(this.room.peers.keys());
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => this.markReady(), this.readyTimeoutMs);
    this.sendFrame({ k: 'arrive', peerId, meta: this.peerMetadata });
    this.checkReady();
  }

  send(message: Message): void {
    if (!this.connected) return;
    const to = this.remotes.get(message.targetId);
    if (to === undefined) return; // automerge-repo only addresses peers we announced; this one has gone
    this.reliable.send(to, message);
  }

  disconnect(): void {
    if (!this.connected) return;
    if (this.peerId !== undefined) this.sendFrame({ k: 'leave', peerId: this.peerId });
    this.connected = false;
    this.forgetAll();
  }

  private sendFrame(frame: AdapterFrame | Uint8Array, to?: MurmurPeerId): void {
    if (this.room.status === 'closed' || !this.connected) return;
    const bytes = frame instanceof Uint8Array ? frame : encodeFrame(frame);
    this.room.broadcast(AUTOMERGE_TOPIC, bytes, to === undefined ? undefined : { to });
  }

  private onRoomMessage(message: RoomMessage): void {
    if (message.topic !== AUTOMERGE_TOPIC || !(message.data instanceof Uint8Array) || !this.connected) return;
    const frame = decodeFrame(message.data);
    if (typeof frame === 'string') return; // an undecodable frame from a member is dropped, as the room drops bad bytes
    if (frame.k === 'part') {
      if (!message.direct) return;
      const whole = this.assembler.add(message.from, frame);
      if (whole !== undefined) this.onRoomMessage({ ...message, data: whole });
      return;
    }
    this.onFrame(message.from, frame, message.direct);
  }

  private onFrame(from: MurmurPeerId, frame: Exclude<AdapterFrame, { k: 'part' }>, direct: boolean): void {
    switch (frame.k) {
      case 'arrive':
      case 'welcome':
        if (frame.k === 'welcome' && !direct) return;
        this.heard(from);
        // Always answer an arrive, so the arriving repo learns of us even if we already knew of it.
        if (frame.k === 'arrive' && this.peerId !== undefined) this.sendFrame({ k: 'welcome', peerId: this.peerId, meta: this.peerMetadata ?? {} }, from);
        if (this.remotes.get(frame.peerId) === from) return; // already a candidate (both sides said arrive)
        this.remotes.set(frame.peerId, from);
        this.reliable.reset(from);
        this.emit('peer-candidate', { peerId: frame.peerId, peerMetadata: frame.meta });
        return;
      case 'leave':
        if (this.remotes.get(frame.peerId) !== from) return;
        this.remotes.delete(frame.peerId);
        this.reliable.reset(from);
        this.emit('peer-disconnected', { peerId: frame.peerId });
        return;
      case 'msg':
        // Only the murmur peer that announced a repo may speak for it.
        // Unacked, a message that came before its sender's welcome is sent again later.
        if (!direct || frame.m.targetId !== this.peerId || this.remotes.get(frame.m.senderId) !== from) return;
        this.reliable.receive(from, frame.e, frame.s, frame.m);
        return;
      case 'ack':
        if (direct) this.reliable.acked(from, frame.e, frame.s);
        return;
    }
  }

  private onMurmurPeerGone(peer: MurmurPeerId): void {
    this.assembler.forget(peer);
    this.reliable.reset(peer);
    this.heard(peer);
    for (const [peerId, murmurPeer] of [...this.remotes]) {
      if (murmurPeer !== peer) continue;
      this.remotes.delete(peerId);
      this.emit('peer-disconnected', { peerId });
    }
  }

  private onRoomClosed(): void {
    this.connected = false;
    this.forgetAll();
    for (const off of this.unsubscribe.splice(0)) off();
    this.markReady();
    this.emit('close');
  }

  private forgetAll(): void {
    const peers = [...this.remotes.keys()];
    this.remotes.clear();
    this.assembler.clear();
    this.reliable.clear();
    for (const peerId of peers) this.emit('peer-disconnected', { peerId });
  }

  private heard(peer: MurmurPeerId): void {
    if (this.awaiting.delete(peer)) this.checkReady();
  }

  /** Ready once connected, the room has heard from its server (or the mesh), and the members present then answered. */
  private checkReady(): void {
    if (this.ready || !this.connected || this.room.status === 'connecting') return;
    for (const peer of this.awaiting) if (!this.room.peers.has(peer)) this.awaiting.delete(peer);
    if (this.awaiting.size === 0) this.markReady();
  }

  private markReady(): void {
    clearTimeout(this.readyTimer);
    if (this.ready) return;
    this.ready = true;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
