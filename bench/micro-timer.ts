/**
 * The timing loop the bench/*-ops.ts micro-benchmarks share (they run in
 * Node and, bundled, in Chromium, so nothing here may import Node modules):
 * after `warmup` calls, `rounds` samples, each the mean µs of BATCH calls in
 * a row, printed as min / median / max.
 */
export const BATCH = 20;

export type TimeOp = (name: string, op: () => unknown) => Promise<void>;

export function opTimer(rounds: number, print: (line: string) => void, warmup: number): TimeOp {
  return async (name, op) => {
    for (let i = 0; i < warmup; i++) await op();
    const samples: number[] = [];
    // Each sample times BATCH operations: Chromium rounds performance.now() to 100 µs.
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      for (let j = 0; j < BATCH; j++) await op();
      samples.push(((performance.now() - start) * 1000) / BATCH);
    }
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(0);
    print(`${name.padEnd(44)} min ${at(0).padStart(6)}  median ${at(0.5).padStart(6)}  max ${at(1).padStart(6)} µs`);
  };
}
