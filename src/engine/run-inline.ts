import { systemClock } from '../clock.js';
import type { JobDefinition } from '../job/define-job.js';
import { parsePayload } from '../job/validate-payload.js';
import { runAttempt } from './run-attempt.js';

/**
 * `performNow`: validate the payload as the worker would (after a JSON round trip, so the job sees what it would
 * see from a queue), run once with attempt 1 and the job's timeout, and return the result or throw the error.
 */
export async function runInline(job: JobDefinition, payload: unknown): Promise<unknown> {
  const json = JSON.stringify(payload);
  const value = await parsePayload(job.name, job.schema, json === undefined ? undefined : JSON.parse(json));
  const run = { jobId: `inline-${crypto.randomUUID()}`, attempt: 1, createdAtMs: systemClock.nowMs() };
  const outcome = await runAttempt({ job, payload: value, run, clock: systemClock });
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}
