import type { JobEvent, JobEventListener } from '../engine/events.js';
import type { JobLogger, LogAttributes } from './logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The engine's own lines (README "Logs"): one structured line per lifecycle event, through the same logger as
 * `ctx.logger` and with the same keys (jobName, jobId, attempt, queue), so one search by job id finds the job's
 * lines and the engine's. The logger's level decides which are written: at WARN only retries, discards, dead
 * letters and releases remain. `progress` and `step` are DEBUG: a chatty job would flood INFO.
 */
export function lifecycleLog(logger: JobLogger): JobEventListener {
  return (event) => {
    const line = lineOf(event);
    if (!line) return;
    // `wharf` names the event, so the engine's lines are told from the job's own by one key; `atMs` is the
    // engine's clock (the embedded engine's may run ahead of the wall clock the timestamp shows).
    const keys: LogAttributes = {
      wharf: event.type,
      ...(event.jobName === undefined ? {} : { jobName: event.jobName }),
      ...(event.jobId === undefined ? {} : { jobId: event.jobId }),
      ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
      queue: event.queue,
      atMs: event.atMs,
    };
    logger[line.level](line.message, keys, line.fields);
  };
}

interface Line {
  readonly level: Level;
  readonly message: string;
  readonly fields: LogAttributes;
}

function lineOf(event: JobEvent): Line | undefined {
  switch (event.type) {
    case 'started':
      return line('info', 'job started', {
        latencyMs: event.latencyMs,
        ...(event.trace ? { trace: event.trace } : {}),
      });
    case 'succeeded':
      return line('info', `job succeeded in ${event.durationMs} ms`, { durationMs: event.durationMs });
    case 'retrying':
      return line('warn', `job failed, retrying in ${seconds(event.delayMs)}: ${event.error.message}`, {
        delayMs: event.delayMs,
        error: event.error,
      });
    case 'dead':
      return line('error', `job dead-lettered (${event.reason}): ${event.error.message}`, {
        reason: event.reason,
        error: event.error,
      });
    case 'discarded':
      return line('warn', `job discarded: ${event.error.message}`, { error: event.error });
    case 'deferred':
      return line('info', `job deferred ${seconds(event.delayMs)} (${event.why})`, {
        why: event.why,
        delayMs: event.delayMs,
        ...(event.key === undefined ? {} : { key: event.key }),
      });
    case 'released':
      return line('warn', `message released (${event.why}): it comes back`, {
        why: event.why,
        ...(event.error ? { error: event.error } : {}),
      });
    case 'sleeping':
      return line('info', `job sleeps ${seconds(event.delayMs)}`, {
        untilMs: event.untilMs,
        delayMs: event.delayMs,
      });
    case 'expired':
      return line('warn', `job expired unrun, ${seconds(event.lateMs)} late`, { lateMs: event.lateMs });
    case 'cancelled':
      return line(
        'info',
        event.whileRunning ? 'job cancelled while running' : 'job cancelled before it started',
        {
          whileRunning: event.whileRunning,
        },
      );
    case 'duplicate':
      return line('info', 'duplicate delivery: the job already ran', {});
    case 'superseded':
      return line('info', 'superseded by a newer enqueue: not run', {});
    case 'debounced':
      return line('info', 'debounced: a later enqueue carries the run', {});
    case 'lease-lost':
      return line('warn', 'lease lost: another run owns the job now', {});
    case 'step':
      return line('debug', event.replayed ? `step "${event.name}" replayed` : `step "${event.name}" done`, {
        step: event.name,
        replayed: event.replayed,
      });
    case 'progress':
      return line('debug', 'progress', { progress: event.progress });
    default:
      return undefined;
  }
}

function line(level: Level, message: string, fields: LogAttributes): Line {
  return { level, message, fields };
}

function seconds(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 60_000)} min`;
}
