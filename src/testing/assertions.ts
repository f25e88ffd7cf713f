import { InvalidOptionsError } from '../errors.js';
import { formatMs, toMs } from '../job/duration.js';
import type { CaptureEntry, CaptureState } from './capture.js';
import { describeJobs, preview } from './describe-jobs.js';
import { JobAssertionError } from './errors.js';
import { findMismatch } from './match-payload.js';
import type { AnyJob, CapturedJob, EnqueuedMatchOptions } from './types.js';

interface Expectation {
  readonly job: AnyJob;
  readonly payload: unknown;
  readonly options: EnqueuedMatchOptions;
}

/** Checks that enqueued jobs match (exactly `count` of them, or at least one) and returns the matches. */
export function assertEnqueued(state: CaptureState, expected: Expectation, count?: number): CapturedJob[] {
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw new InvalidOptionsError('assertEnqueued options', [
      `count: expected a whole number, received ${count}`,
    ]);
  }
  const { matches, notes } = compare(state.pending, expected);
  const ok = count === undefined ? matches.length > 0 : matches.length === count;
  if (ok) return matches;
  const head =
    count === undefined
      ? `Expected a ${describeExpectation(expected, 'job')} to be enqueued, but none matches.`
      : `Expected ${count} ${describeExpectation(expected, count === 1 ? 'job' : 'jobs')} to be enqueued, found ${matches.length}.`;
  throw new JobAssertionError(`${head}\n${describeJobs(all(state), notes)}`);
}

/** Checks that no enqueued job matches. */
export function assertNotEnqueued(state: CaptureState, expected: Expectation): void {
  const { matches } = compare(state.pending, expected);
  if (matches.length === 0) return;
  const marks = new Map(matches.map((job) => [job, '^ matches'] as const));
  const head = `Expected no ${describeExpectation(expected, 'job')} to be enqueued, found ${matches.length}.`;
  throw new JobAssertionError(`${head}\n${describeJobs(all(state), marks)}`);
}

/** Matching jobs, and for each job of the same name that does not match, the first reason why. */
function compare(entries: readonly CaptureEntry[], expected: Expectation) {
  const matches: CapturedJob[] = [];
  const notes = new Map<CapturedJob, string>();
  for (const { captured } of entries) {
    if (captured.jobName !== expected.job.name) continue;
    const problem = mismatch(captured, expected);
    if (problem === undefined) matches.push(captured);
    else notes.set(captured, `^ not a match: ${problem}`);
  }
  return { matches, notes };
}

function mismatch(job: CapturedJob, expected: Expectation): string | undefined {
  const { queue, delay, at } = expected.options;
  if (queue !== undefined && job.queue !== queue) return `queue: expected ${queue}, received ${job.queue}`;
  if (delay !== undefined) {
    const delayMs = job.runAtMs - job.enqueuedAtMs;
    const wantMs = toMs(delay, 'delay');
    if (delayMs !== wantMs) return `delay: expected ${formatMs(wantMs)}, received ${formatMs(delayMs)}`;
  }
  if (at !== undefined && job.runAtMs !== at.getTime()) {
    return `at: expected ${at.toISOString()}, received ${new Date(job.runAtMs).toISOString()}`;
  }
  return expected.payload === undefined ? undefined : findMismatch(job.payload, expected.payload);
}

function describeExpectation({ job, payload, options }: Expectation, noun: 'job' | 'jobs'): string {
  const parts = [job.name, noun];
  if (payload !== undefined) parts.push(`with payload matching ${preview(payload)}`);
  if (options.queue !== undefined) parts.push(`on queue ${options.queue}`);
  if (options.delay !== undefined) parts.push(`with delay ${formatMs(toMs(options.delay, 'delay'))}`);
  if (options.at !== undefined) parts.push(`due at ${options.at.toISOString()}`);
  return parts.join(' ');
}

function all(state: CaptureState): CapturedJob[] {
  return state.pending.map((entry) => entry.captured);
}
