/**
 * The real `murmur-signal` binary as a child process, for tests and
 * benchmarks: resolves with its URL once it logged `listening`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SIGNAL_BIN = fileURLToPath(new URL('../../bin/murmur-signal.js', import.meta.url));

export interface SignalProcess {
  child: ChildProcess;
  /** ws://HOST:PORT/signal */
  url: string;
  /** SIGKILL, resolved once it exited. */
  kill(): Promise<void>;
}

export async function startSignalProcess(args: readonly string[], timeoutMs = 20_000): Promise<SignalProcess> {
  const child = spawn(process.execPath, [SIGNAL_BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`murmur-signal ${args.join(' ')} did not log 'listening' within ${timeoutMs} ms: ${out.slice(-500)}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`murmur-signal exited with ${String(code)}: ${out.slice(-500)}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(ws:[^"]+)"/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
      if (out.length > 65_536) out = out.slice(-4096); // a keeper logs a line per room
    });
  });
  return {
    child,
    url,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
