/**
 * The floor: a raw RTCPeerConnection data channel between two pages, no
 * library. Signaling is done by the benchmark copying SDP between pages
 * (non-trickle). One side pings, the other echoes; both record.
 */
import { now } from './browser-agent.js';

let pc: RTCPeerConnection | null = null;
let channel: RTCDataChannel | null = null;
const oneWay: number[] = [];
const roundTrip: number[] = [];
const waiting = new Map<number, () => void>();

async function gathered(connection: RTCPeerConnection): Promise<string> {
  if (connection.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) =>
      connection.addEventListener('icegatheringstatechange', () => {
        if (connection.iceGatheringState === 'complete') resolve();
      }),
    );
  }
  return JSON.stringify(connection.localDescription);
}

function wire(dc: RTCDataChannel): void {
  channel = dc;
  dc.onmessage = (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as { seq: number; t: number; echo?: boolean };
    if (message.echo) {
      roundTrip.push(now() - message.t);
      waiting.get(message.seq)?.();
      waiting.delete(message.seq);
    } else {
      oneWay.push(now() - message.t);
      dc.send(JSON.stringify({ ...message, echo: true }));
    }
  };
}

const floor = {
  async offer(): Promise<string> {
    pc = new RTCPeerConnection();
    wire(pc.createDataChannel('floor'));
    await pc.setLocalDescription(await pc.createOffer());
    return gathered(pc);
  },
  async answer(offer: string): Promise<string> {
    pc = new RTCPeerConnection();
    pc.ondatachannel = (event) => wire(event.channel);
    await pc.setRemoteDescription(JSON.parse(offer) as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    return gathered(pc);
  },
  async accept(answer: string): Promise<void> {
    await pc?.setRemoteDescription(JSON.parse(answer) as RTCSessionDescriptionInit);
  },
  isOpen(): boolean {
    return channel?.readyState === 'open';
  },
  /** `count` pings, one at a time, `gapMs` apart (presence updates are spaced too). */
  async ping(count: number, gapMs: number): Promise<void> {
    for (let seq = 0; seq < count; seq++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2_000);
        waiting.set(seq, () => {
          clearTimeout(timer);
          resolve();
        });
        channel?.send(JSON.stringify({ seq, t: now() }));
      });
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  },
  results(): { oneWay: number[]; roundTrip: number[] } {
    return { oneWay: [...oneWay], roundTrip: [...roundTrip] };
  },
};
(globalThis as { floor?: unknown }).floor = floor;
document.documentElement.dataset.ready = 'true';
