/**
 * Structured logs: one JSON object per line, so a log shipper needs no
 * parser. The sink is injectable so tests stay quiet and embedders can route
 * records into their own logger.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type Logger = (record: LogRecord) => void;

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let stdoutGuarded = false;

export function jsonLinesSink(record: LogRecord): void {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    // A closed stdout (the parent that read the logs died: EPIPE) must cost
    // the logs, not the rooms: without a listener the error event kills the process.
    process.stdout.on('error', () => {});
  }
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
}

/** A logger that drops records below `minLevel` before they reach `sink`. */
export function createLogger(minLevel: LogLevel, sink: Logger = jsonLinesSink): Logger {
  const floor = SEVERITY[minLevel];
  return (record) => {
    if (SEVERITY[record.level] >= floor) sink(record);
  };
}
