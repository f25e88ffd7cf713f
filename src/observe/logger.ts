import type { JobLogger, LogAttributes, LogLevel } from '../job/job-logger.js';

export type { JobLogger, LogAttributes, LogLevel };

export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];

/** What every line of a run carries: the keys an operator searches a job's lines by. */
export type JobLogKeys = {
  readonly jobName: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly queue: string;
};

/**
 * `ctx.logger`: the base logger with the run's keys on every line. A class with four methods rather than a child
 * logger: Powertools' `createChild` copies the logger's whole state, which a job that writes no line would pay for.
 */
export class StampedLogger implements JobLogger {
  constructor(
    private readonly base: JobLogger,
    private readonly keys: JobLogKeys,
  ) {}

  debug(message: string, ...extra: LogAttributes[]): void {
    this.base.debug(message, this.keys, ...extra);
  }

  info(message: string, ...extra: LogAttributes[]): void {
    this.base.info(message, this.keys, ...extra);
  }

  warn(message: string, ...extra: LogAttributes[]): void {
    this.base.warn(message, this.keys, ...extra);
  }

  error(message: string, ...extra: LogAttributes[]): void {
    this.base.error(message, this.keys, ...extra);
  }
}

const RANK: Readonly<Record<LogLevel, number>> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 99 };

/** Reads a level name as Powertools does (any case); anything else is undefined, for the caller to report. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const upper = value?.trim().toUpperCase();
  return LOG_LEVELS.find((level) => level === upper);
}

/**
 * A logger of the same shape that writes one JSON object per line (Powertools' keys: level, message, timestamp),
 * for an engine given no logger: what a job writes through `ctx.logger` is never lost. `write` is stdout's.
 */
export function jsonLinesLogger(
  options: { readonly level?: LogLevel; readonly write?: (line: string) => void } = {},
): JobLogger {
  const threshold = RANK[options.level ?? 'INFO'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const line =
    (level: Exclude<LogLevel, 'SILENT'>) =>
    (message: string, ...extra: LogAttributes[]): void => {
      if (RANK[level] < threshold) return;
      write(
        JSON.stringify(
          Object.assign({ level, message, timestamp: new Date().toISOString() }, ...extra),
          errorReplacer,
        ),
      );
    };
  return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

/** An Error has no enumerable fields: JSON would write `{}`. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
}

let fallback: JobLogger | undefined;

/** The logger of a run whose engine was given none (`performNow`, a bare engine): JSON lines at INFO. */
export function fallbackLogger(): JobLogger {
  fallback ??= jsonLinesLogger();
  return fallback;
}
