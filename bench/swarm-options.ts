/** `bench:swarm`'s flags, validated once with errors that name the flag. */
import { ErrorCode, MurmurError } from '../shared/src/errors.js';

export interface SwarmCli {
  peers: number;
  processes: number;
  runs: number;
  watchS: number;
  convergeTimeoutS: number;
  maxLinks: number | undefined;
  /** 'default': the library's RTCConfiguration (public STUN servers, as a user who sets nothing); 'none': no ICE servers (all peers are on this host). */
  stun: 'default' | 'none';
  json: boolean;
}

const FLAGS = '--peers --processes --runs --watch-s --converge-timeout-s --max-links --stun --json';

function bad(message: string): never {
  throw new MurmurError(ErrorCode.BAD_ARGUMENT, message);
}

function int(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || value === '' || value.startsWith('--')) bad(`${flag} wants a value (an integer from ${min} to ${max})`);
  if (!Number.isInteger(n) || n < min || n > max) bad(`${flag} wants an integer from ${min} to ${max}, got ${value}`);
  return n;
}

export function parseSwarmArgs(argv: readonly string[]): SwarmCli {
  const cli: SwarmCli = { peers: 60, processes: 6, runs: 1, watchS: 120, convergeTimeoutS: 180, maxLinks: undefined, stun: 'default', json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => argv[++i];
    if (arg === '--json') cli.json = true;
    else if (arg === '--peers') cli.peers = int(arg, next(), 2, 1000);
    else if (arg === '--processes') cli.processes = int(arg, next(), 1, 64);
    else if (arg === '--runs') cli.runs = int(arg, next(), 1, 100);
    else if (arg === '--watch-s') cli.watchS = int(arg, next(), 0, 3600);
    else if (arg === '--converge-timeout-s') cli.convergeTimeoutS = int(arg, next(), 1, 3600);
    else if (arg === '--max-links') cli.maxLinks = int(arg, next(), 1, 64);
    else if (arg === '--stun') {
      const value = next();
      if (value !== 'default' && value !== 'none') bad(`--stun wants 'default' or 'none', got ${value ?? 'nothing'}`);
      cli.stun = value;
    }
    else bad(`unknown flag ${arg} (flags: ${FLAGS})`);
  }
  if (cli.processes > cli.peers) bad(`--processes (${cli.processes}) cannot exceed --peers (${cli.peers})`);
  if (cli.peers % cli.processes !== 0) bad(`--peers (${cli.peers}) must be a multiple of --processes (${cli.processes}): each process holds the same number`);
  // One process holds ~290 links before file descriptors run out (DESIGN.md).
  if (cli.peers / cli.processes > 50) bad(`${cli.peers / cli.processes} peers per process is too many (at most 50): raise --processes`);
  return cli;
}

