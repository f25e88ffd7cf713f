import type { DeadLetterReason, ErrorSummary } from '../envelope/envelope.js';
import type { DeadInfo, FailureInfo, FailureOutcome } from '../job/hooks.js';
import { redact } from '../job/redact.js';
import type { ReceivedMessage } from '../transport/types.js';
import { type ErrorReport, HOOK_TIME_LIMIT_MS, hookTimedOut, withinTime } from './error-reporter.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { RunState } from './types.js';

/** What came of a failed attempt (or of a message dead-lettered unrun), as the hooks after it are told. */
export interface FailureStep {
  readonly outcome: FailureOutcome | 'released';
  readonly retryDelayMs?: number;
  readonly deadLetterReason?: DeadLetterReason;
}

type KnownRun = Pick<RunState, 'message' | 'envelope' | 'job' | 'attempt'>;

/** Nearer than this to the invocation's deadline, hooks get no time: the batch response must still go back. */
const DEADLINE_RESERVE_MS = 1_000;

/**
 * The hooks after a failure, in the documented order, once the outcome is durable: the error reporter, then the
 * job's `onFailure` (only after an attempt, and only when the outcome is durable, not released), then `onDead`
 * (only for a dead letter). One time limit covers the three together. Undefined, with no promise made, when
 * the engine has no reporter and the job no hooks.
 */
export function runFailureHooks(
  o: ResolvedEngineOptions,
  state: KnownRun,
  error: unknown,
  step: FailureStep,
  afterAttempt: boolean,
  deadlineMs?: number,
): Promise<void> | undefined {
  const hooks = state.job.hooks;
  if (!o.reports && !hooks?.onFailure && !hooks?.onDead) return undefined;
  return runInOrder(o, state, error, step, afterAttempt, deadlineMs);
}

async function runInOrder(
  o: ResolvedEngineOptions,
  state: KnownRun,
  error: unknown,
  step: FailureStep,
  afterAttempt: boolean,
  deadlineMs: number | undefined,
): Promise<void> {
  const endsAt = performance.now() + hookTimeMs(o, deadlineMs);
  const left = () => Math.max(0, endsAt - performance.now());
  const report = reportOf(state, step, afterAttempt ? 'attempt' : 'dead-letter');
  await o.reports?.report(error, report, left());
  if (step.outcome === 'released') return;
  const info = failureInfo(state, step as FailureStep & { outcome: FailureOutcome });
  const { onFailure, onDead } = state.job.hooks ?? {};
  if (afterAttempt && onFailure) await callHook(o, 'onFailure', () => onFailure(error, info), report, left());
  if (step.outcome === 'dead-lettered' && onDead) {
    const dead = { ...info, outcome: 'dead-lettered', afterAttempt } as DeadInfo;
    await callHook(o, 'onDead', () => onDead(error, dead), report, left());
  }
}

/** A hook that throws or runs out of time is reported; it never changes the outcome, which is already durable. */
async function callHook(
  o: ResolvedEngineOptions,
  hook: 'onFailure' | 'onDead',
  call: () => unknown,
  report: ErrorReport,
  limitMs: number,
): Promise<void> {
  let failure: unknown;
  try {
    if (await withinTime(call, limitMs)) failure = hookTimedOut(hook, report.jobName ?? '?', limitMs);
    else return;
  } catch (thrown) {
    failure = thrown;
  }
  const hookReport: ErrorReport = { ...report, kind: 'hook', hook };
  if (o.reports) await o.reports.report(failure, hookReport, Math.max(limitMs, 1_000));
  else console.error(`[wharf] ${hook} of job "${report.jobName}" failed; the outcome stands:`, failure);
}

function hookTimeMs(o: ResolvedEngineOptions, deadlineMs: number | undefined): number {
  if (deadlineMs === undefined) return HOOK_TIME_LIMIT_MS;
  return Math.max(0, Math.min(HOOK_TIME_LIMIT_MS, deadlineMs - o.clock.nowMs() - DEADLINE_RESERVE_MS));
}

function failureInfo(state: KnownRun, step: FailureStep & { outcome: FailureOutcome }): FailureInfo {
  return {
    jobId: state.envelope.id,
    jobName: state.job.name,
    queue: state.job.options.queue,
    attempt: state.attempt,
    maxAttempts: state.job.options.maxAttempts,
    payload: state.envelope.payload,
    outcome: step.outcome,
    willRetry: step.outcome === 'retry-scheduled',
    ...(step.retryDelayMs === undefined ? {} : { retryDelayMs: step.retryDelayMs }),
    ...(step.deadLetterReason === undefined ? {} : { deadLetterReason: step.deadLetterReason }),
  };
}

function reportOf(state: KnownRun, step: FailureStep, kind: ErrorReport['kind']): ErrorReport {
  return {
    kind,
    queue: state.message.queue,
    messageId: state.message.messageId,
    jobName: state.job.name,
    jobId: state.envelope.id,
    attempt: state.attempt,
    maxAttempts: state.job.options.maxAttempts,
    payload: redact(state.envelope.payload, state.job.options.redact ?? []),
    willRetry: step.outcome === 'retry-scheduled' || step.outcome === 'released',
    outcome: step.outcome,
    ...(step.retryDelayMs === undefined ? {} : { retryDelayMs: step.retryDelayMs }),
    ...(step.deadLetterReason === undefined ? {} : { deadLetterReason: step.deadLetterReason }),
  };
}

/**
 * The engine's own failure (a store or queue call) that released the message: reported without waiting here,
 * as `release` answers at once; the engine waits for it before the message's disposition goes back.
 */
export function reportEngineError(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message'> & Partial<RunState>,
  why: string,
  cause: unknown,
): void {
  if (!o.reports) return;
  const { message, envelope, job } = state;
  const redactPaths = job?.options.redact ?? o.registry.get(envelope?.job ?? '')?.options.redact ?? [];
  void o.reports.report(cause, {
    kind: 'engine',
    queue: message.queue,
    messageId: message.messageId,
    ...(envelope
      ? {
          jobName: envelope.job,
          jobId: envelope.id,
          attempt: state.attempt ?? envelope.attempt,
          payload: redact(envelope.payload, redactPaths),
        }
      : {}),
    ...(job ? { maxAttempts: job.options.maxAttempts } : {}),
    willRetry: true,
    outcome: 'released',
    why,
  });
}

/** A body that is not a usable envelope, dead-lettered with its reason: all the reporter can be told is the queue's. */
export function reportUnreadMessage(
  o: ResolvedEngineOptions,
  message: ReceivedMessage,
  reason: DeadLetterReason,
  error: ErrorSummary,
): Promise<void> | undefined {
  return o.reports?.report(errorFromSummary(error), {
    kind: 'dead-letter',
    queue: message.queue,
    messageId: message.messageId,
    willRetry: false,
    outcome: 'dead-lettered',
    deadLetterReason: reason,
  });
}

/**
 * Stands for an error the engine holds only as a summary (the error of a dead letter written without a run): the
 * same name, message, code and stack head, so a reporter groups it as it would the original. Never thrown.
 */
class SummarizedError extends Error {
  readonly code?: string;
  constructor(summary: ErrorSummary) {
    super(summary.message);
    this.name = summary.name;
    if (summary.code !== undefined) this.code = summary.code;
    if (summary.stack !== undefined) this.stack = summary.stack;
  }
}

export function errorFromSummary(summary: ErrorSummary): Error {
  return new SummarizedError(summary);
}
