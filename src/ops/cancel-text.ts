import type { CancelResult } from '../client/types.js';
import { UNKNOWN_JOB_NAME } from '../store/record-change.js';
import type { JobRecord } from '../store/types.js';
import { errorHeadline } from './error-text.js';

/**
 * What a cancel did, in the words the CLI and the dashboard both print: a headline, then what follows from it
 * (the reason of a signal or a refusal, the note of an id that looks mistyped). A cancellation at the queue is
 * said to be what it is, a record the job's claim honours: a job no run has seen yet may be on its queue, or
 * nowhere (a mistyped id), and nothing can tell the two apart.
 */
export function cancelText(result: CancelResult): { readonly headline: string; readonly details: string[] } {
  const id = JSON.stringify(result.jobId);
  switch (result.outcome) {
    case 'cancelled':
      if (result.where === 'schedule') {
        return {
          headline: `cancelled job ${id}: its schedule was deleted before it fired, so it never runs`,
          details: [],
        };
      }
      return {
        headline: `cancelled job ${id} on its queue: a cancellation is recorded that its claim honours, so its message is acknowledged without running (status cancelled)`,
        details: result.note ? [result.note] : [],
      };
    case 'signalled':
      return { headline: `asked running job ${id} to stop`, details: [result.reason] };
    case 'not-cancelled':
      return { headline: `did not cancel job ${id}`, details: [result.reason] };
  }
}

/** Statuses a cancel can still change: waiting ones are stopped, a running one is told. */
const CANCELLABLE: ReadonlySet<JobRecord['status']> = new Set(['queued', 'retrying', 'running']);

/** Whether a job in this state is worth offering Cancel for (a record that ended has nothing left to stop). */
export function canCancel(record: JobRecord | undefined): boolean {
  return record === undefined || CANCELLABLE.has(record.status);
}

/** A cancellation recorded before any run of the job: its name and queue are known only once its claim comes. */
export function isNameUnknown(record: JobRecord): boolean {
  return record.jobName === UNKNOWN_JOB_NAME;
}

/**
 * What a cancel request means for a job that was running when it came: its run goes on until its heartbeat sees
 * the mark (worker processes) or to its end (Lambda), and no retry of it starts. Undefined once it is not running.
 */
export function cancelRequestedText(record: JobRecord): string | undefined {
  if (record.cancelRequestedAtMs === undefined || record.status !== 'running') return undefined;
  return 'its ctx.signal aborts at its next heartbeat in a worker process (on Lambda it runs to its end), and no retry of it starts';
}

/** The one line a job listing has room for: why it ended unrun, that a cancel was asked for, or its last error. */
export function jobNote(record: JobRecord): string {
  if (record.skippedReason) return record.skippedReason;
  if (record.status === 'running' && record.cancelRequestedAtMs !== undefined) return 'cancel requested';
  return record.lastError ? errorHeadline(record.lastError) : '';
}
