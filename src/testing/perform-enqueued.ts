import { InvalidOptionsError } from '../errors.js';
import { addEntry, type CaptureEntry, type CaptureState } from './capture.js';
import { describeJobs, formatMs, preview } from './describe-jobs.js';
import { EnqueuedJobFailedError, MaxJobsExceededError } from './errors.js';
import { runOnce } from './run-once.js';
import type { AnyJob, JobRunResult, PerformEnqueuedOptions, PerformedJob, PerformSummary } from './types.js';

type Failure = Extract<PerformedJob, { readonly outcome: 'retry' | 'dead' }>;

/**
 * Runs the captured jobs that are due on the test clock, earliest first, one at a time, including the jobs they
 * enqueue while running (when those are due too), until none is due.
 */
export async function performEnqueued(
  state: CaptureState,
  options: PerformEnqueuedOptions = {},
): Promise<PerformSummary> {
  const maxJobs = options.maxJobs ?? 100;
  if (!Number.isInteger(maxJobs) || maxJobs < 1) {
    throw new InvalidOptionsError('performEnqueued options', [
      `maxJobs: expected an integer from 1, received ${maxJobs}`,
    ]);
  }
  const firstSeq = state.seq;
  const ran: CaptureEntry[] = [];
  const performed: PerformedJob[] = [];
  const failed: PerformedJob[] = [];
  for (let entry = nextDue(state, options.only); entry; entry = nextDue(state, options.only)) {
    if (ran.length >= maxJobs) throw loopError(state, maxJobs, firstSeq, ran, options.only);
    state.pending = state.pending.filter((e) => e !== entry);
    ran.push(entry);
    const record = await perform(state, entry);
    performed.push(record);
    state.performed.push(record);
    if (record.outcome !== 'retry' && record.outcome !== 'dead') continue;
    if (options.onFailure !== 'collect') throw failureError(entry.job, record);
    failed.push(record);
    if (record.outcome === 'retry') scheduleRetry(state, entry, record.delayMs);
  }
  return { performed, failed, remaining: state.pending.length };
}

function nextDue(state: CaptureState, only: readonly AnyJob[] | undefined): CaptureEntry | undefined {
  const now = state.clock.nowMs();
  let next: CaptureEntry | undefined;
  for (const entry of state.pending) {
    if (entry.captured.runAtMs > now) continue;
    if (!selected(entry, only)) continue;
    // Pending is kept in enqueue order, so among jobs due at the same time the first enqueued runs first.
    if (!next || entry.captured.runAtMs < next.captured.runAtMs) next = entry;
  }
  return next;
}

function selected(entry: CaptureEntry, only: readonly AnyJob[] | undefined): boolean {
  return !only || only.some((job) => job.name === entry.job.name);
}

async function perform(state: CaptureState, entry: CaptureEntry): Promise<PerformedJob> {
  const { captured, job } = entry;
  const exactlyOnce = job.options.idempotency === 'exactly-once';
  if (exactlyOnce && state.completedIds.has(captured.jobId)) return { ...captured, outcome: 'duplicate' };
  const outer = state.running;
  state.running = job.name;
  let result: JobRunResult;
  try {
    result = await runOnce({
      job,
      payload: captured.payload,
      jobId: captured.jobId,
      attempt: captured.attempt,
      createdAtMs: entry.createdAtMs,
      clock: state.clock,
      random: state.random,
      onProgress: () => {},
    });
  } finally {
    state.running = outer;
  }
  if (exactlyOnce && result.outcome === 'succeeded') state.completedIds.add(captured.jobId);
  return { ...captured, ...result };
}

// The engine's retry is the same message coming back later as the next attempt; it is not a new enqueue, so it
// names no parent and does not count towards the loop report.
function scheduleRetry(state: CaptureState, entry: CaptureEntry, delayMs: number): void {
  const now = state.clock.nowMs();
  const captured = {
    ...entry.captured,
    attempt: entry.captured.attempt + 1,
    enqueuedAtMs: now,
    runAtMs: now + delayMs,
  };
  addEntry(state, { captured, job: entry.job, createdAtMs: entry.createdAtMs });
}

function failureError(job: AnyJob, record: Failure): EnqueuedJobFailedError {
  const error = record.error;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${preview(error)}`;
  const next =
    record.outcome === 'retry'
      ? `retry it in ${formatMs(record.delayMs)} as attempt ${record.attempt + 1} of ${job.options.maxAttempts}`
      : `dead-letter it (${record.reason})`;
  const hint = "Pass { onFailure: 'collect' } to performEnqueued to collect failures instead.";
  return new EnqueuedJobFailedError(
    record.jobName,
    record.jobId,
    record.attempt,
    `${what}\nThe engine would ${next}. ${hint}`,
    error,
  );
}

function loopError(
  state: CaptureState,
  maxJobs: number,
  firstSeq: number,
  ran: readonly CaptureEntry[],
  only: readonly AnyJob[] | undefined,
): MaxJobsExceededError {
  const counts = new Map<string, number>();
  for (const entry of [...ran, ...state.pending]) {
    if (entry.seq < firstSeq || entry.enqueuedBy === undefined) continue;
    const edge = `${entry.enqueuedBy} enqueued ${entry.job.name}`;
    counts.set(edge, (counts.get(edge) ?? 0) + 1);
  }
  const edges = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([edge, n]) => `  - ${edge} ${n} ${n === 1 ? 'time' : 'times'}`);
  const kept =
    edges.length > 0
      ? `Jobs that kept enqueuing during this call:\n${edges.slice(0, 5).join('\n')}`
      : 'No job enqueued another during this call: more jobs were due than maxJobs, or jobs retried without delay.';
  const now = state.clock.nowMs();
  const due = state.pending.filter((e) => e.captured.runAtMs <= now && selected(e, only));
  const still = describeJobs(due.map((e) => e.captured)).replace('Enqueued jobs', 'Still due');
  return new MaxJobsExceededError(maxJobs, `${kept}\n${still}\nRaise maxJobs if this many jobs is expected.`);
}
