import { dispatch } from '../dispatch/dispatch.js';
import {
  appendFailure,
  type DeadLetterReason,
  type Envelope,
  type ErrorSummary,
  summarizeError,
} from '../envelope/envelope.js';
import { hasCode } from '../errors.js';
import type { RecordStart } from '../store/types.js';
import { deadLetterFromEnvelope } from './dead-letter.js';
import { type DeferWhy, type JobEvent, safeEmit } from './events.js';
import { errorFromSummary, reportEngineError, runFailureHooks } from './failure-hooks.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { Disposition, RunState } from './types.js';
import { waitInPlace, waitsInPlace } from './wait-in-place.js';

type EventBody = JobEvent extends infer E
  ? E extends JobEvent
    ? Omit<E, 'queue' | 'atMs' | 'jobId' | 'jobName' | 'attempt'>
    : never
  : never;

export function emit(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message'> & Partial<RunState>,
  body: EventBody,
): void {
  safeEmit(o.onEvent, {
    queue: state.message.queue,
    jobId: state.envelope?.id,
    jobName: state.envelope?.job,
    attempt: state.attempt ?? state.envelope?.attempt,
    atMs: o.clock.nowMs(),
    ...body,
  } as JobEvent);
}

export function release(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message'> & Partial<RunState>,
  why: string,
  error?: ErrorSummary,
  /** The store or queue failure behind the release, for the error reporter. */
  cause?: unknown,
): Disposition {
  emit(o, state, { type: 'released', why, ...(error ? { error } : {}) });
  if (cause !== undefined) reportEngineError(o, state, why, cause);
  return { action: 'release', reason: why };
}

export function recordStart(o: ResolvedEngineOptions, state: RunState): RecordStart {
  return {
    jobName: state.job.name,
    queue: state.job.options.queue,
    attempt: state.attempt,
    createdAtMs: state.envelope.createdAtMs,
    startedAtMs: state.startedAtMs,
    expiresAtSec: Math.ceil((o.clock.nowMs() + o.recordRetentionMs) / 1000),
    payload: state.envelope.payload,
  };
}

/**
 * Sends a copy of the envelope to run later; the original may be acked only once the copy is confirmed. The
 * engine's policy on a Scheduler failure is `hop` (see dispatch.ts): the copy goes through SQS instead, slower
 * to pay for but durable now, as the worker has no one to ask.
 */
export async function sendLater(
  o: ResolvedEngineOptions,
  queue: string,
  envelope: Envelope,
): Promise<boolean> {
  const [outcome] = await dispatch(o, [{ queue, envelope }], 'hop');
  return outcome?.ok === true;
}

/** What a deferral changes on the message beyond its due time: a throttle start it now holds, or drops. */
export interface DeferralPatch {
  readonly reservedStartMs?: number | undefined;
  /** The limit's key, for the event and the record's note. */
  readonly key?: string;
}

/** Puts delivery off without running the job or using an attempt. */
export async function defer(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message' | 'envelope'>,
  why: DeferWhy,
  delayMs: number,
  patch: DeferralPatch = {},
): Promise<Disposition> {
  const now = o.clock.nowMs();
  if (waitsInPlace(state)) {
    emit(o, state, {
      type: 'deferred',
      why,
      delayMs,
      ...(patch.key === undefined ? {} : { key: patch.key }),
    });
    return waitInPlace(o, now, 'deferred', delayMs);
  }
  const { reservedStartMs: _held, ...env } = state.envelope;
  const reserved = 'reservedStartMs' in patch ? patch.reservedStartMs : _held;
  const next: Envelope =
    why === 'not-due'
      ? { ...state.envelope, enqueuedAtMs: now }
      : {
          ...env,
          enqueuedAtMs: now,
          runAtMs: now + delayMs,
          deferrals: (env.deferrals ?? 0) + 1,
          ...(reserved === undefined ? {} : { reservedStartMs: reserved }),
        };
  if (!(await sendLater(o, state.message.queue, next)))
    return release(o, state, `could not re-send deferred message (${why})`);
  emit(o, state, { type: 'deferred', why, delayMs, ...(patch.key === undefined ? {} : { key: patch.key }) });
  return { action: 'ack', outcome: 'deferred' };
}

/**
 * Writes the dead letter first; only then records the state and lets the message go (invariants 1 and 5).
 * `recordState: false` leaves the job store alone: the record is another job's (a reused id). The reporter and
 * `onDead` run after it, unless `hooks: false` (a failed attempt's dead letter: settle-failure.ts runs them,
 * `onFailure` first).
 */
export async function deadLetter(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message' | 'envelope' | 'job' | 'attempt' | 'fence' | 'startedAtMs'>,
  reason: DeadLetterReason,
  error: ErrorSummary,
  { recordState = true, hooks = true }: { readonly recordState?: boolean; readonly hooks?: boolean } = {},
): Promise<Disposition> {
  const now = o.clock.nowMs();
  const failures = appendFailure(state.envelope.failures, { attempt: state.attempt, atMs: now, error });
  const info = {
    reason,
    queue: state.message.queue,
    attempts: state.attempt,
    firstFailedAtMs: failures[0]?.atMs ?? now,
    lastFailedAtMs: now,
    error,
  };
  const { deadLetter: _previous, reservedStartMs: _spent, ...rest } = state.envelope;
  // A message from another producer may have a MessageGroupId but no group in its body: a FIFO DLQ needs one.
  const group = rest.group ?? state.message.groupId;
  const envelope = group === undefined ? rest : { ...rest, group };
  try {
    await o.transport.sendToDeadLetter(
      state.message.queue,
      deadLetterFromEnvelope({ ...envelope, failures }, info),
    );
  } catch (cause) {
    return release(o, state, 'dead-letter write failed', summarizeError(cause), cause);
  }
  if (recordState) await recordFailure(o, state, 'dead', error, failures);
  emit(o, state, { type: 'dead', reason, error });
  const after = hooks
    ? runFailureHooks(
        o,
        state,
        errorFromSummary(error),
        { outcome: 'dead-lettered', deadLetterReason: reason },
        false,
      )
    : undefined;
  if (after) await after;
  return { action: 'ack', outcome: 'dead-lettered' };
}

/** Schedules the next attempt: the retry message is sent first, then the state is recorded. */
export async function scheduleRetry(
  o: ResolvedEngineOptions,
  state: RunState,
  error: ErrorSummary,
  delayMs: number,
): Promise<Disposition> {
  const now = o.clock.nowMs();
  const failures = appendFailure(state.envelope.failures, { attempt: state.attempt, atMs: now, error });
  if (waitsInPlace(state)) return retryInPlace(o, state, error, failures, delayMs);
  // A throttle start the run used is spent: the retry takes a start of its own.
  const { deadLetter: _dl, reservedStartMs: _spent, ...rest } = state.envelope;
  const next: Envelope = {
    ...rest,
    attempt: state.attempt + 1,
    enqueuedAtMs: now,
    runAtMs: now + delayMs,
    failures,
  };
  if (!(await sendLater(o, state.message.queue, next)))
    return release(o, state, 'retry message could not be sent', error);
  // The retry is durable now. If this write fails, the record stays `running` until its lease lapses, and the
  // retry message takes it over then: acking is still safe.
  await recordFailure(o, state, 'retrying', error, failures, state.attempt + 1);
  emit(o, state, { type: 'retrying', delayMs, error });
  return { action: 'ack', outcome: 'retry-scheduled' };
}

/**
 * A retry on a FIFO queue (see wait-in-place.ts): the record is the retry, so it is written first; the message
 * then waits, and its claim takes the next attempt from the record. A write that failed leaves the record
 * `running`: the message is released, and its lease lapses into a takeover that counts the attempt.
 */
async function retryInPlace(
  o: ResolvedEngineOptions,
  state: RunState,
  error: ErrorSummary,
  failures: Envelope['failures'] & object,
  delayMs: number,
): Promise<Disposition> {
  if (!(await recordFailure(o, state, 'retrying', error, failures, state.attempt + 1)))
    return release(o, state, 'could not record the retry in place', error);
  emit(o, state, { type: 'retrying', delayMs, error });
  return waitInPlace(o, state.startedAtMs, 'retry-scheduled', delayMs);
}

export async function discard(
  o: ResolvedEngineOptions,
  state: RunState,
  error: ErrorSummary,
): Promise<Disposition> {
  const failures = appendFailure(state.envelope.failures, {
    attempt: state.attempt,
    atMs: o.clock.nowMs(),
    error,
  });
  const recorded = await recordFailure(o, state, 'discarded', error, failures);
  if (!recorded) return release(o, state, 'could not record the discard', error);
  emit(o, state, { type: 'discarded', error });
  return { action: 'ack', outcome: 'discarded' };
}

/** Returns false when the store could not record it (a lost lease counts as recorded: a newer run owns the job). */
async function recordFailure(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message' | 'envelope' | 'job' | 'attempt' | 'fence' | 'startedAtMs'>,
  status: 'retrying' | 'dead' | 'discarded',
  error: ErrorSummary,
  failures: Envelope['failures'] & object,
  nextAttempt?: number,
): Promise<boolean> {
  if (!o.store || state.job.options.idempotency === 'off') return true;
  try {
    await o.store.fail({
      ...recordStart(o, state as RunState),
      jobId: state.envelope.id,
      fence: state.fence,
      nowMs: o.clock.nowMs(),
      status,
      error,
      failures,
      nextAttempt,
    });
    return true;
  } catch (cause) {
    return hasCode(cause, 'WHARF_LEASE_LOST');
  }
}
