import type { Clock } from '../clock.js';
import { decideRetry } from '../engine/retry-decision.js';
import { runAttempt } from '../engine/run-attempt.js';
import type { JobProgress } from '../job/types.js';
import { parsePayload } from '../job/validate-payload.js';
import type { AnyJob, JobRunResult } from './types.js';

export interface RunOnceInput {
  readonly job: AnyJob;
  /** The payload as enqueued; it goes through JSON and the job's schema first, as at a worker. */
  readonly payload: unknown;
  readonly jobId: string;
  readonly attempt: number;
  readonly createdAtMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly onProgress: (progress: JobProgress) => void;
}

/** One attempt through the engine's own pieces (`runAttempt`, `decideRetry`), so tests see the engine's verdict. */
export async function runOnce(input: RunOnceInput): Promise<JobRunResult> {
  const { job, attempt } = input;
  let payload: unknown;
  try {
    payload = await parsePayload(job.name, job.schema, roundTrip(input.payload));
  } catch (error) {
    // A payload the schema rejects at the worker is a permanent error there too: decideRetry says so.
    return verdict(job, attempt, error, input.random);
  }
  const outcome = await runAttempt({
    job,
    payload,
    run: { jobId: input.jobId, attempt, createdAtMs: input.createdAtMs },
    // In test mode time moves only when the test travels, so the timeout fires only if a test travels past it.
    clock: input.clock,
    onProgress: input.onProgress,
  });
  if (outcome.ok) return { outcome: 'succeeded', result: outcome.result };
  return verdict(job, attempt, outcome.error, input.random);
}

function verdict(job: AnyJob, attempt: number, error: unknown, random: () => number): JobRunResult {
  const decision = decideRetry(job.options, attempt, error, random);
  switch (decision.kind) {
    case 'retry':
      return { outcome: 'retry', delayMs: decision.delayMs, error };
    case 'dead':
      return { outcome: 'dead', reason: decision.reason, error };
    case 'discard':
      return { outcome: 'discarded', error };
  }
}

function roundTrip(payload: unknown): unknown {
  const json = JSON.stringify(payload);
  return json === undefined ? undefined : JSON.parse(json);
}
