import { describe, expect, it, vi } from 'vitest';
import type { Message } from '@automerge/automerge-repo/slim';
import { createPrng } from '../../../shared/src/prng.js';
import { Reliable } from './reliable.js';

const message = (n: number) => ({ type: 'sync', senderId: 'a', targetId: 'b', documentId: 'd', data: new Uint8Array([n]) }) as unknown as Message;

describe('Reliable over a lossy, reordering transport', () => {
  it.each([1, 2, 3])('delivers every message once, in order (seed %i, 30%% loss each way)', async (seed) => {
    vi.useFakeTimers();
    try {
      const prng = createPrng(seed);
      const delivered: number[] = [];
      const inFlight: Array<() => void> = [];
      const sender: Reliable = new Reliable({
        encode: (e, s, m) => {
          const bytes = new DataView(new ArrayBuffer(9));
          bytes.setUint32(0, e);
          bytes.setUint32(4, s);
          bytes.setUint8(8, (m as unknown as { data: Uint8Array }).data[0] as number);
          return [new Uint8Array(bytes.buffer)];
        },
        transmit: (_to, pieces) => {
          if (prng.next() < 0.3) return;
          const bytes = new DataView((pieces[0] as Uint8Array).buffer);
          inFlight.push(() => receiver.receive('a', bytes.getUint32(0), bytes.getUint32(4), message(bytes.getUint8(8))));
        },
        ack: () => {},
        deliver: () => {},
        retransmitMs: 100,
      });
      // Declared after the sender, used by it only once messages flow.
      const receiver = new Reliable({
        encode: () => [],
        transmit: () => {},
        ack: (_to, e, s) => {
          if (prng.next() < 0.3) return;
          inFlight.push(() => sender.acked('b', e, s));
        },
        deliver: (_from, m) => delivered.push((m as unknown as { data: Uint8Array }).data[0] as number),
        retransmitMs: 100,
      });
      for (let i = 0; i < 200; i++) sender.send('b', message(i));
      for (let round = 0; round < 200 && delivered.length < 200; round++) {
        // Deliver what is in flight in a shuffled order, then let the retransmit timer fire.
        const batch = inFlight.splice(0);
        for (let i = batch.length - 1; i > 0; i--) {
          const j = prng.int(i + 1);
          [batch[i], batch[j]] = [batch[j] as () => void, batch[i] as () => void];
        }
        for (const run of batch) run();
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(delivered).toEqual(Array.from({ length: 200 }, (_, i) => i));
      sender.clear();
      receiver.clear();
    } finally {
      vi.useRealTimers();
    }
  });
});
