import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type Clock, systemClock } from '../clock.js';
import { ENVELOPE_VERSION, type Envelope } from '../envelope/envelope.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { InvalidOptionsError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { JobProgress, PayloadInput } from '../job/types.js';
import { createMemoryJobStore } from '../store/memory-store.js';
import { activeCapture } from './capture.js';
import { createTestEngine, EngineReportedError } from './test-engine.js';
import type { AnyJob, JobRunResult } from './types.js';

/** The random source used for backoff jitter in tests: 0 means no jitter, so delays are the policy's base values. */
export const NO_JITTER = (): number => 0;

/**
 * How `runJob` runs the attempt.
 * @example
 * await runJob(chargeCard, { orderId: 'o1' }, { attempt: 2, jobId: 'order-o1', random: () => 0.5 });
 */
export interface RunJobOptions {
  /** Which attempt this is (1 = the first run), to test what happens on a later or the last attempt. @default 1 */
  readonly attempt?: number;
  /** @default a random id */
  readonly jobId?: string;
  /** Backoff jitter source in [0, 1). @default the test mode's, else no jitter */
  readonly random?: () => number;
  /** @default the test mode's clock, else the system clock */
  readonly clock?: Clock;
  /** Receives each `ctx.progress(...)` report. */
  readonly onProgress?: (progress: JobProgress) => void;
}

/**
 * Runs one job inline as attempt N, the way a worker would (payload through JSON and the schema, the job's timeout,
 * a real `ctx`), and reports what the engine would do next. It never throws for a failing job: the error is in the
 * result. Jobs it enqueues are captured when test mode is on.
 *
 * @example
 * const run = await runJob(chargeCard, { orderId: 'o1' }, { attempt: 3 });
 * expect(run).toMatchObject({ outcome: 'dead', reason: 'retries-exhausted' });
 */
export async function runJob<S extends StandardSchemaV1, R>(
  job: JobDefinition<S, R>,
  payload: PayloadInput<S>,
  options: RunJobOptions = {},
): Promise<JobRunResult<Awaited<R>>> {
  const attempt = options.attempt ?? 1;
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionsError('runJob options', [
      `attempt: expected an integer from 1, received ${attempt}`,
    ]);
  }
  const capture = activeCapture();
  const clock = options.clock ?? capture?.clock ?? systemClock;
  const onProgress = options.onProgress;
  // An engine of its own, with a fresh store: runJob reports what the engine would do with this attempt, and
  // keeps nothing (the retry it would send is not enqueued, no job state carries over to the next call).
  const engine = createTestEngine({
    jobs: new Map([[job.name, job as unknown as AnyJob]]),
    store: createMemoryJobStore(),
    clock,
    random: options.random ?? capture?.random ?? NO_JITTER,
    send: () => undefined,
    ...(onProgress ? { onEvent: (e) => void (e.type === 'progress' && onProgress(e.progress)) } : {}),
  });
  const now = clock.nowMs();
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    id: options.jobId ?? `test-${crypto.randomUUID()}`,
    job: job.name,
    payload,
    attempt,
    createdAtMs: now,
    enqueuedAtMs: now,
  };
  const run = await engine.run(job.options.queue, toOutgoing(envelope, now).body);
  // A fresh store has no other run to defer to, and nothing in it can fail: the engine always runs the job.
  if (run.kind !== 'ran' || run.result.outcome === 'duplicate')
    throw new EngineReportedError({ name: 'Error', message: `runJob: the engine did not run ${job.name}` });
  return run.result as JobRunResult<Awaited<R>>;
}
