/**
 * For tests that start `murmur-signal` as a process: the ws:// URL from its
 * JSON "listening" log line, or a rejection naming what it printed instead.
 */
import type { ChildProcess } from 'node:child_process';

export function listeningUrl(child: ChildProcess, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`murmur-signal printed no listening line: ${out}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(ws:[^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`murmur-signal exited ${code}: ${out}`));
    });
  });
}
