import type { Clock } from '../clock.js';
import { createEngine } from '../engine/engine.js';
import type { JobEvent } from '../engine/events.js';
import type { AttemptOutcome } from '../engine/run-attempt.js';
import { StepInterruption } from '../engine/step-journal.js';
import type { Disposition, EngineOptions, ObservedProcessOptions } from '../engine/types.js';
import type { ErrorSummary } from '../envelope/envelope.js';
import type { JobLogger } from '../job/job-logger.js';
import type { JobRegistry } from '../job/registry.js';
import { parsePayload } from '../job/validate-payload.js';
import type { JobStore } from '../store/types.js';
import type { OutgoingMessage, ReceivedMessage, Transport } from '../transport/types.js';
import type { AnyJob, JobRunResult, NotRunOutcome } from './types.js';

/** What one message through the engine came to, in the terms wharf-jobs/testing reports. */
export type TestRun =
  | { readonly kind: 'ran'; readonly result: JobRunResult | { readonly outcome: NotRunOutcome } }
  /** Put off without running (an unknown job, a concurrent duplicate): the engine sent it again. */
  | { readonly kind: 'deferred' }
  /** Nothing durable happened (a store that failed): the message must come back. */
  | { readonly kind: 'released' };

export interface TestEngineOptions {
  readonly jobs: ReadonlyMap<string, AnyJob>;
  readonly store: JobStore;
  readonly clock: Clock;
  readonly random: () => number;
  /** Where the engine's sends land: retries, deferrals, hops. */
  readonly send: (queue: string, message: OutgoingMessage) => void;
  readonly sendToDeadLetter?: (queue: string, message: OutgoingMessage) => void;
  /** Every engine event, for whoever watches (the harness, runJob's onProgress). */
  readonly onEvent?: (event: JobEvent) => void;
  readonly engine?: Pick<EngineOptions, 'unknownJobDeferrals' | 'unknownJobDelay' | 'leaseMargin'>;
  /** What the jobs' `ctx.logger` writes to (no lifecycle lines: a test reads outcomes from results). */
  readonly logger?: JobLogger;
}

export interface TestEngine {
  /** `interruptAfterStep`: stop the run right after that step is stored (runJob's option). */
  run(queue: string, body: string, interruptAfterStep?: string): Promise<TestRun>;
}

/**
 * The real engine (`engine.process`) over a capturing transport, a manual clock and a memory store: test mode's
 * duplicates, retries, deferrals and dead letters are the engine's own decisions, not a copy of them. Only the
 * reporting is ours: the job's own result or error (the engine keeps summaries), and the outcome in test terms.
 */
export function createTestEngine(options: TestEngineOptions): TestEngine {
  const watchers = new Map<string, JobEvent[]>();
  const transport: Transport = {
    async send(queue, messages) {
      for (const message of messages) options.send(queue, message);
      return messages.map(() => ({ ok: true as const, messageId: `test-${crypto.randomUUID()}` }));
    },
    async sendToDeadLetter(queue, message) {
      options.sendToDeadLetter?.(queue, message);
    },
  };
  const engine = createEngine({
    ...options.engine,
    // The store is in this process: a pause is read on every run, so it holds from the next message on.
    pauseRefresh: { ms: 0 },
    registry: liveRegistry(options.jobs),
    transport,
    store: options.store,
    clock: options.clock,
    random: options.random,
    ...(options.logger ? { logger: options.logger, lifecycleLogs: false } : {}),
    onEvent: (event) => {
      if (event.jobId !== undefined) watchers.get(event.jobId)?.push(event);
      options.onEvent?.(event);
    },
  });
  return {
    async run(queue, body, interruptAfterStep) {
      const message = receivedFrom(queue, body);
      const jobId = idOf(body);
      const events: JobEvent[] = [];
      // One performEnqueued runs one message at a time; a second of the same id waits for its own events.
      if (jobId !== undefined && !watchers.has(jobId)) watchers.set(jobId, events);
      let attempt: AttemptOutcome | undefined;
      const processOptions: ObservedProcessOptions = {
        onAttempt: (outcome) => {
          attempt = outcome;
        },
        ...(interruptAfterStep === undefined ? {} : { interruptAfterStep }),
      };
      try {
        const disposition = await engine.process(message, processOptions);
        return await report(options.jobs, disposition, events, attempt, body);
      } finally {
        if (watchers.get(jobId ?? '') === events) watchers.delete(jobId ?? '');
      }
    },
  };
}

async function report(
  jobs: ReadonlyMap<string, AnyJob>,
  disposition: Disposition,
  events: readonly JobEvent[],
  attempt: AttemptOutcome | undefined,
  body: string,
): Promise<TestRun> {
  if (disposition.action === 'release') {
    if (attempt && !attempt.ok && attempt.error instanceof StepInterruption)
      return ran({ outcome: 'interrupted', step: attempt.error.step });
    return { kind: 'released' };
  }
  const error = () => (attempt && !attempt.ok ? attempt.error : undefined);
  switch (disposition.outcome) {
    case 'succeeded':
      return ran({ outcome: 'succeeded', result: attempt?.ok ? attempt.result : undefined });
    case 'retry-scheduled': {
      const retrying = events.find((e) => e.type === 'retrying');
      const delayMs = retrying?.type === 'retrying' ? retrying.delayMs : 0;
      return ran({ outcome: 'retry', delayMs, error: error() ?? rebuilt(retrying) });
    }
    case 'discarded':
      return ran({
        outcome: 'discarded',
        error: error() ?? rebuilt(events.find((e) => e.type === 'discarded')),
      });
    case 'dead-lettered': {
      const dead = events.find((e) => e.type === 'dead');
      const reason =
        dead?.type === 'dead' && dead.reason === 'retries-exhausted' ? dead.reason : 'permanent-error';
      const invalid = dead?.type === 'dead' && dead.reason === 'invalid-payload';
      const cause = error() ?? (invalid ? await schemaError(jobs, body) : undefined) ?? rebuilt(dead);
      return ran({ outcome: 'dead', reason, error: cause });
    }
    case 'deferred':
      return { kind: 'deferred' };
    case 'sleeping': {
      const sleeping = events.find((e) => e.type === 'sleeping');
      return ran({ outcome: 'sleeping', wakeAtMs: sleeping?.type === 'sleeping' ? sleeping.untilMs : 0 });
    }
    // A newer run owns the job, or it already completed: either way this message's run had no effect.
    case 'duplicate':
    case 'superseded':
    case 'lease-lost':
      return ran({ outcome: 'duplicate' });
    // Never run: past its expiry, cancelled, or a debounced enqueue that a later one of its burst carries.
    case 'expired':
    case 'cancelled':
    case 'debounced':
      return ran({ outcome: disposition.outcome });
  }
}

const ran = (result: JobRunResult | { readonly outcome: NotRunOutcome }): TestRun => ({
  kind: 'ran',
  result,
});

/**
 * The schema's own error for a payload the engine found invalid: the engine keeps only its summary, and a test
 * wants the InvalidPayloadError. Running the schema again decides nothing; the engine already has.
 */
async function schemaError(jobs: ReadonlyMap<string, AnyJob>, body: string): Promise<unknown> {
  const envelope = JSON.parse(body) as { job: string; payload: unknown };
  const job = jobs.get(envelope.job);
  if (!job) return undefined;
  return parsePayload(job.name, job.schema, envelope.payload).then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The error as the engine summarised it, when the job's own is not at hand (the engine failed the run itself). */
function rebuilt(event: JobEvent | undefined): Error {
  const summary = event && 'error' in event ? event.error : undefined;
  return new EngineReportedError(summary ?? { name: 'Error', message: 'the engine failed this run' });
}

/** An error known only by the engine's summary of it (name, message, code): no stack, no class of its own. */
export class EngineReportedError extends Error {
  readonly code?: string;
  constructor(summary: ErrorSummary) {
    super(summary.message);
    this.name = summary.name;
    if (summary.code !== undefined) this.code = summary.code;
  }
}

/** The jobs test mode knows so far, as a registry: jobs are learnt as they are captured. */
function liveRegistry(jobs: ReadonlyMap<string, AnyJob>): JobRegistry {
  const list = () => [...jobs.values()];
  return {
    get jobs() {
      return list();
    },
    get queues() {
      return [...new Set(list().map((job) => job.options.queue))];
    },
    recurring: [],
    get: (name) => jobs.get(name),
    jobsOn: (queue) => list().filter((job) => job.options.queue === queue),
  };
}

let received = 0;

function receivedFrom(queue: string, body: string): ReceivedMessage {
  received += 1;
  const id = `test-message-${received}`;
  return { messageId: id, receiptHandle: id, body, queue, attributes: {}, receiveCount: 1 };
}

function idOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
