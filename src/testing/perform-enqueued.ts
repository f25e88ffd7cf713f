import { InvalidOptionsError } from '../errors.js';
import { formatMs } from '../job/duration.js';
import type { CaptureEntry, CaptureState } from './capture.js';
import { describeJobs, preview } from './describe-jobs.js';
import { EnqueuedJobFailedError, MaxJobsExceededError } from './errors.js';
import type { TestRun } from './test-engine.js';
import type { AnyJob, PerformEnqueuedOptions, PerformedJob, PerformSummary } from './types.js';

/** How long a released message stays hidden before it is due again: the embedded engine's release delay. */
const RELEASE_DELAY_MS = 10_000;

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
    if (!record) continue;
    performed.push(record);
    state.performed.push(record);
    if (record.outcome !== 'retry' && record.outcome !== 'dead') continue;
    // The engine has already done what it does with a failure: the retry is captured again, a dead job dropped.
    if (options.onFailure !== 'collect') throw failureError(state, record);
    failed.push(record);
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
  return !only || only.some((job) => job.name === entry.captured.jobName);
}

/**
 * Hands the entry's message to the engine. A run is recorded; a deferral was re-sent by the engine (and is
 * pending again); a release puts the message back, due once the queue would show it again.
 */
async function perform(state: CaptureState, entry: CaptureEntry): Promise<PerformedJob | undefined> {
  const { captured } = entry;
  const outer = state.running;
  state.running = captured.jobName;
  let run: TestRun;
  try {
    run = await state.engine.run(captured.queue, entry.body);
  } finally {
    state.running = outer;
  }
  if (run.kind === 'ran') return { ...captured, ...run.result };
  if (run.kind === 'released') {
    const now = state.clock.nowMs();
    const back = { ...captured, enqueuedAtMs: now, runAtMs: now + RELEASE_DELAY_MS };
    state.pending.push({ ...entry, captured: back });
  }
  return undefined;
}

function failureError(state: CaptureState, record: Failure): EnqueuedJobFailedError {
  const error = record.error;
  const maxAttempts = state.jobs.get(record.jobName)?.options.maxAttempts ?? record.attempt;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${preview(error)}`;
  const next =
    record.outcome === 'retry'
      ? `retry it in ${formatMs(record.delayMs)} as attempt ${record.attempt + 1} of ${maxAttempts}`
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
    const edge = `${entry.enqueuedBy} enqueued ${entry.captured.jobName}`;
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
