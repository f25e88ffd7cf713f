import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type Clock, systemClock } from '../clock.js';
import { ENVELOPE_VERSION, type Envelope } from '../envelope/envelope.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { InvalidOptionsError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { JobLogger } from '../job/job-logger.js';
import type { JobProgress, PayloadInput } from '../job/types.js';
import { createMemoryJobStore } from '../store/memory-store.js';
import type { StepMap } from '../store/types.js';
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
  /**
   * Stops the run right after this durable step is stored, as a crash would (Rails' `interrupt_job_during_step`):
   * the result says `interrupted`, and `resume()` runs the job again over the same job record.
   */
  readonly interruptAfterStep?: string;
  /**
   * What the job's `ctx.logger` writes to, so a test can read its lines (each stamped with the job's name, id,
   * attempt and queue). @default JSON lines on stdout
   */
  readonly logger?: JobLogger;
}

/** How a later run of the same job goes on from a `runJob` result (`resume`). */
export interface ResumeOptions {
  /** @default the same attempt: an interruption, like a crash or a sleep, uses none */
  readonly attempt?: number;
  readonly interruptAfterStep?: string;
}

/**
 * A `runJob` result: what the attempt led to, the durable steps its job record holds now (name -> stored result),
 * and `resume()` to run the job again over that record (after an interruption, a sleep, a retry).
 * @example
 * const first = await runJob(fulfilOrder, { orderId: 'o1' }, { interruptAfterStep: 'charge' });
 * const second = await first.resume();
 * expect(second.outcome).toBe('succeeded');
 */
export type JobRun<R = unknown> = JobRunResult<R> & {
  readonly jobId: string;
  readonly steps: Readonly<Record<string, unknown>>;
  resume(options?: ResumeOptions): Promise<JobRun<R>>;
};

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
): Promise<JobRun<Awaited<R>>> {
  const attempt = checkedAttempt(options.attempt ?? 1);
  const capture = activeCapture();
  const clock = options.clock ?? capture?.clock ?? systemClock;
  const onProgress = options.onProgress;
  // An engine of its own, with a fresh store: runJob reports what the engine would do with this attempt, and
  // keeps nothing (the retry it would send is not enqueued, no job state carries over to the next call).
  const store = createMemoryJobStore();
  const engine = createTestEngine({
    jobs: new Map([[job.name, job as unknown as AnyJob]]),
    store,
    clock,
    random: options.random ?? capture?.random ?? NO_JITTER,
    send: () => undefined,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(onProgress ? { onEvent: (e) => void (e.type === 'progress' && onProgress(e.progress)) } : {}),
  });
  const jobId = options.jobId ?? `test-${crypto.randomUUID()}`;
  const createdAtMs = clock.nowMs();
  const once = async (runAttempt: number, interruptAfterStep?: string): Promise<JobRun<Awaited<R>>> => {
    const now = clock.nowMs();
    const envelope: Envelope = {
      v: ENVELOPE_VERSION,
      id: jobId,
      job: job.name,
      payload,
      attempt: runAttempt,
      createdAtMs,
      enqueuedAtMs: now,
    };
    const run = await engine.run(job.options.queue, toOutgoing(envelope, now).body, interruptAfterStep);
    // A store of its own has no other run to defer to, and nothing in it can fail: the engine runs the job.
    if (run.kind !== 'ran' || run.result.outcome === 'duplicate')
      throw new EngineReportedError({ name: 'Error', message: `runJob: the engine did not run ${job.name}` });
    const record = await store.get(jobId, clock.nowMs());
    const result = { ...(run.result as JobRunResult<Awaited<R>>) };
    // Not enumerable: a result still equals `{ outcome, result }` in a test's toEqual, as it did before steps.
    return Object.defineProperties(result, {
      jobId: { value: jobId },
      steps: { value: userSteps(record?.steps) },
      resume: {
        value: (next: ResumeOptions = {}) => {
          const retry = run.result.outcome === 'retry' ? runAttempt + 1 : runAttempt;
          return once(checkedAttempt(next.attempt ?? retry), next.interruptAfterStep);
        },
      },
    }) as JobRun<Awaited<R>>;
  };
  return once(attempt, options.interruptAfterStep);
}

function checkedAttempt(attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidOptionsError('runJob options', [
      `attempt: expected an integer from 1, received ${attempt}`,
    ]);
  }
  return attempt;
}

/** The record's steps as a test reads them: name -> stored result, without the engine's own sleep entries. */
function userSteps(steps: StepMap | undefined): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, step] of Object.entries(steps ?? {})) if (!name.startsWith('~')) out[name] = step.result;
  return out;
}
