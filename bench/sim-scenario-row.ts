/**
 * One scenario run's row: the JSON-lines schema of
 * `npm run bench:sim -- --scenario NAME --json`, and its table. The first
 * fields are the contract (names exactly as written there); the
 * rest help read them. All times are virtual except wall_ms, cpu_ms and
 * wall_per_vmin_ms.
 */
import type { TrafficRow } from './sim-scenario-traffic.js';

export interface ScenarioRow {
  scenario: string;
  n: number;
  seed: number;
  loss: number;
  /** Virtual seconds simulated, warm-up (initial joins, settling) included. */
  virtual_s: number;
  wall_ms: number;
  /** Seconds the live peers' link graph had more than one component, outside forced partitions (isolated peers count). */
  split_s: number;
  /** Peer-seconds a live peer spent with no link, beyond its first 10 s. */
  isolated_peer_s: number;
  /** Fraction of (update, live peer) pairs delivered within the grace time. */
  delivered: number;
  /** From the end of each outage or partition until all live peers agree on membership; null if none merged. */
  merge_s_p50: number | null;
  merge_s_p99: number | null;
  /** Dead verdicts about live peers, outside forced partitions. */
  false_dead: number;
  /** Largest member table (every record but self's: live and tombstones) at any live peer, read every 10 s. */
  members_max: number;
  /** Most dead/left records at any live peer. */
  tombstones_max: number;

  /** Most reverse-path routes and remembered broadcast ids at any live peer (engine.sizes()). */
  routes_max: number;
  seen_max: number;
  /** Virtual seconds after the warm-up: the window every figure below is measured over. */
  measured_s: number;
  cpu_ms: number;
  /** Wall ms of the warm-up, and per virtual minute of the measured window after it. */
  warmup_wall_ms: number;
  wall_per_vmin_ms: number;
  /** isolated_peer_s over live_peer_s (the target: under 0.001). */
  isolated_fraction: number;
  /** Peer-seconds of live peers past their first 10 s. */
  live_peer_s: number;
  /** Peer-seconds of tabs that opened while no server was up and had not joined yet (not counted as isolated). */
  waiting_peer_s: number;
  /** Largest number of live peers outside the biggest component in one sample. */
  split_minor_max: number;
  /** Fewest and mean live links of a settled live peer, over the samples. */
  links_min: number;
  links_mean: number;
  updates: number;
  pairs: number;
  delivery_p50_ms: number | null;
  delivery_p99_ms: number | null;
  /** Merge windows opened, and how many never merged (within 120 s or the end of the run). */
  merges: number;
  unmerged: number;
  /** Every merge time in order, seconds (null: never merged). */
  merge_s: Array<number | null>;
  /** Dead verdicts about live peers while a forced partition held (expected: each side loses the other). */
  partition_dead: number;
  /** Live peers that, at the end, lack some other live peer older than 30 s. */
  disagreeing_end: number;
  joins: number;
  leaves: number;
  crashes: number;
  live_end: number;
  outages: number;
  /** False while the simulator has no signaling servers: outages were not simulated. */
  servers_modeled: boolean;
  /** Simulator events run and engine messages sent (where the wall time goes). */
  sim_events: number;
  messages_sent: number;
  /** Partition scenario: every live doc equal at the end; seconds after the heal they became equal. */
  docs_equal: boolean | null;
  docs_equal_s: number | null;
  doc_keys: number | null;
  doc_edits: number | null;
  /**
   * With --frames: frames sent in the measured window (delivered or lost) by type and by whether a
   * signaling server was up, and the virtual seconds of each phase; null without the flag.
   */
  traffic: TrafficRow[] | null;
  server_up_s: number | null;
  server_down_s: number | null;
}

const COLUMNS: Array<[keyof ScenarioRow, string]> = [
  ['scenario', 'scenario'],
  ['n', 'N'],
  ['seed', 'seed'],
  ['virtual_s', 'virt_s'],
  ['wall_ms', 'wall_ms'],
  ['split_s', 'split_s'],
  ['isolated_peer_s', 'isol_peer_s'],
  ['isolated_fraction', 'isol_frac'],
  ['delivered', 'delivered'],
  ['merge_s_p50', 'merge50s'],
  ['merge_s_p99', 'merge99s'],
  ['unmerged', 'unmerged'],
  ['false_dead', 'falseDead'],
  ['members_max', 'membersMax'],
  ['tombstones_max', 'tombsMax'],
  ['links_min', 'linksMin'],
  ['links_mean', 'linksMean'],
  ['live_end', 'liveEnd'],
  ['docs_equal', 'docsEqual'],
  ['docs_equal_s', 'docsEq_s'],
  ['wall_per_vmin_ms', 'wall/vmin'],
];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'inf';
  return String(value);
}

export function formatScenarioTable(rows: readonly ScenarioRow[]): string {
  const table = [COLUMNS.map(([, title]) => title), ...rows.map((row) => COLUMNS.map(([key]) => cell(row[key])))];
  const widths = COLUMNS.map((_, c) => Math.max(...table.map((line) => (line[c] as string).length)));
  const format = (line: string[]): string => `| ${line.map((text, c) => text.padStart(widths[c] as number)).join(' | ')} |`;
  return [format(table[0] as string[]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(format)].join('\n');
}
