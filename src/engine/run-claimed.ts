import { decodeEnvelope } from '../envelope/decode.js';
import { summarizeError } from '../envelope/envelope.js';
import { payloadFingerprint } from '../envelope/fingerprint.js';
import { ConfigError, hasCode, InvalidAttemptError, JobIdReusedError, JobTimeoutError } from '../errors.js';
import type { JobProgress } from '../job/types.js';
import { UNKNOWN_JOB_NAME } from '../store/record-change.js';
import type { JobRecord } from '../store/types.js';
import { batchContext } from './batch-gate.js';
import { cancelWatch, recordCancelled } from './cancel-watch.js';
import { releaseUniqueKey } from './enqueue-gate.js';
import { passFlowControl, releaseSlot } from './flow-gate.js';
import { deadLetter, defer, emit, recordStart, release } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import { type AttemptBudget, runAttempt } from './run-attempt.js';
import { settleFailure } from './settle-failure.js';
import { sleepRun } from './sleep-run.js';
import { SleepRequest, StepInterruption, StepJournal } from './step-journal.js';
import type { Disposition, ObservedProcessOptions, ProcessOptions, RunState } from './types.js';

const PROGRESS_WRITE_INTERVAL_MS = 2_000;

/** Claims the job when its mode asks for it, runs one attempt, and records what happened. */
export async function runClaimed(
  o: ResolvedEngineOptions,
  base: RunState,
  payload: unknown,
  p: ObservedProcessOptions,
): Promise<Disposition> {
  const firing = asExactlyOnce(base);
  if (firing.message.fifo && !o.store) return fifoWithoutStore(o, base);
  // With no limit on the job and a fresh pause set that names neither it nor its queue, no await is added.
  const open =
    !hasLimits(firing) &&
    (!o.pauses || o.pauses.clearFor(firing.job.name, firing.message.queue, base.startedAtMs));
  const passed = open ? {} : await passFlowControl(o, firing, payload);
  if ('action' in passed) return passed;
  if (!passed.slot) return claimAndRun(o, base, firing, payload, p);
  try {
    return await claimAndRun(o, base, firing, payload, p);
  } finally {
    await releaseSlot(o, passed.slot);
  }
}

/** Latency counts from when the message was due: a delayed job did not wait while its delay ran. */
function startedEvent(state: RunState): { type: 'started'; latencyMs: number; trace?: string } {
  const { enqueuedAtMs, runAtMs, trace } = state.envelope;
  const dueAtMs = runAtMs === undefined || runAtMs < enqueuedAtMs ? enqueuedAtMs : runAtMs;
  const latencyMs = Math.max(0, state.startedAtMs - dueAtMs);
  return trace === undefined ? { type: 'started', latencyMs } : { type: 'started', latencyMs, trace };
}

function hasLimits(state: RunState): boolean {
  const flow = state.job.options.flow;
  return flow.concurrency !== undefined || flow.throttle !== undefined;
}

async function claimAndRun(
  o: ResolvedEngineOptions,
  base: RunState,
  firing: RunState,
  payload: unknown,
  p: ObservedProcessOptions,
): Promise<Disposition> {
  // Only exactly-once runs claim; the others skip the call (an await per job costs on the hot path).
  const claimed = claims(o, firing) ? await claim(o, firing) : firing;
  if ('action' in claimed) return claimed;
  const state = claimed;
  if (state.attempt > state.job.options.maxAttempts) return overAttempts(o, base, state);
  emit(o, state, startedEvent(state));
  if (state.envelope.unique !== undefined) await releaseUniqueKey(o, state.envelope, state.job, 'started');
  const watch = cancelWatch(o, state, p);
  const steps = new StepJournal(o, state, {
    ...(state.knownSteps ? { known: state.knownSteps } : {}),
    ...(p.interruptAfterStep === undefined ? {} : { interruptAfterStep: p.interruptAfterStep }),
  });
  const batch = batchContext(state.envelope);
  const outcome = await runAttempt({
    job: state.job,
    payload,
    run: { jobId: state.envelope.id, attempt: state.attempt, createdAtMs: state.envelope.createdAtMs },
    clock: o.clock,
    budget: attemptBudget(o, state, p),
    onProgress: progressReporter(o, state),
    shutdown: p.signal,
    steps,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(watch ? { watch } : {}),
    ...(batch ? { batch } : {}),
  });
  p.onAttempt?.(outcome);
  if (outcome.ok) return recordSuccess(o, state, outcome.result);
  if (outcome.error instanceof SleepRequest) return sleepRun(o, asReceived(state), outcome.error);
  if (outcome.error instanceof StepInterruption)
    return abandon(o, state, state.message.fifo ? state.attempt : base.attempt, 'interrupted after a step');
  if (hasCode(outcome.error, 'WHARF_LEASE_LOST')) {
    // A step's fenced write found another run holding the job (our lease lapsed): that run owns its outcome.
    emit(o, state, { type: 'lease-lost' });
    return { action: 'ack', outcome: 'lease-lost' };
  }
  if (watch?.cancelled()) return recordCancelled(o, asReceived(state), outcome.error);
  // In place, the message that comes back claims from the record: the lease goes back with the attempt it held.
  if (hasCode(outcome.error, 'WHARF_SHUTDOWN'))
    return abandon(o, state, state.message.fifo ? state.attempt : base.attempt);
  return settleFailure(o, asReceived(state), outcome.error, p.deadlineMs);
}

/**
 * The job may have changed its payload in place (a schema can hand back the very object it was given), so what is
 * written after a run (a retry, a dead letter, a record) carries the payload as it arrived, read again from the
 * message (S17). Only on the paths that write it: a copy for every job would cost the hot path what a failure or a
 * tracked record costs once.
 */
function asReceived(state: RunState): RunState {
  const decoded = decodeEnvelope(state.message.body);
  return decoded.ok ? { ...state, envelope: decoded.envelope } : state;
}

/**
 * No attempt is left to run. After a claim that counted crashed runs (exactly-once mode), that is a job that kept
 * killing its worker. Otherwise the message itself arrived with an attempt past the job's maximum: sent by another
 * producer, or a retry sent before a deploy lowered `attempts`. Each is told as it is: the second never ran here.
 */
function overAttempts(o: ResolvedEngineOptions, base: RunState, state: RunState): Promise<Disposition> {
  const max = state.job.options.maxAttempts;
  const crashed = state.attempt > base.attempt;
  const error = crashed
    ? new JobTimeoutError(state.job.options.timeoutMs, 'abandoned')
    : new InvalidAttemptError(
        `The message arrived as attempt ${base.attempt}, past the job's ${max} attempt${max === 1 ? '' : 's'} (attempts lowered since it was sent, or a message not sent by wharf); it was not run`,
      );
  return deadLetter(o, state, 'retries-exhausted', summarizeError(error));
}

/**
 * A recurring schedule's firing, and a batch's callback (sent again by a child whose message came back after a
 * crash: README "Batches"), run exactly-once whatever their job's mode: Scheduler delivers at least once (a
 * retried call that had succeeded, a double fire), and the firing's job id, made from the task and the scheduled
 * time, is the same on every delivery, so the claim lets one run through. Needs the job store.
 *
 * So does a message from a FIFO queue: its retries wait in place (the body never changes), so only the record
 * can say which attempt a delivery is, and the claim is what reads it.
 */
function asExactlyOnce(base: RunState): RunState {
  const claimed =
    base.envelope.firing !== undefined ||
    base.envelope.callbackOf !== undefined ||
    base.message.fifo === true;
  if (!claimed || base.job.options.idempotency === 'exactly-once') return base;
  const options = { ...base.job.options, idempotency: 'exactly-once' as const };
  return { ...base, job: { ...base.job, options } };
}

function claims(o: ResolvedEngineOptions, base: RunState): boolean {
  return base.job.options.idempotency === 'exactly-once' && o.store !== undefined;
}

async function claim(o: ResolvedEngineOptions, base: RunState): Promise<RunState | Disposition> {
  if (!o.store) return base;
  const now = o.clock.nowMs();
  let result: Awaited<ReturnType<NonNullable<ResolvedEngineOptions['store']>['claim']>>;
  try {
    result = await o.store.claim({
      jobId: base.envelope.id,
      jobName: base.job.name,
      queue: base.job.options.queue,
      attempt: base.attempt,
      nowMs: now,
      leaseMs: base.job.options.timeoutMs + o.leaseMarginMs,
      isRedrive: base.envelope.deadLetter !== undefined,
      inPlace: base.message.fifo === true,
      expiresAtSec: Math.ceil((now + o.recordRetentionMs) / 1000),
      payload: base.envelope.payload,
      payloadHash: payloadFingerprint(base.envelope.payload),
    });
  } catch (error) {
    // Nothing ran: the message comes back and tries again.
    return release(o, base, 'job store unavailable for claim', summarizeError(error), error);
  }
  switch (result.kind) {
    case 'claimed':
      return {
        ...base,
        attempt: result.attempt,
        fence: result.fence,
        // The claim's answer carries the record's steps, all of them: none means none, so no read is needed.
        knownSteps: result.steps ?? {},
      };
    case 'completed':
      emit(o, base, { type: 'duplicate' });
      return { action: 'ack', outcome: 'duplicate' };
    case 'superseded':
      emit(o, base, { type: 'superseded' });
      return { action: 'ack', outcome: 'superseded' };
    case 'cancelled':
      return cancelledAtClaim(o, base, result.record);
    case 'busy':
      // A concurrent duplicate: never reported as success, never charged an attempt.
      return defer(o, base, 'busy', Math.max(1_000, result.leaseExpiresAtMs - now + 1_000));
    case 'reused':
      return reusedId(o, base, result.record, result.why);
  }
}

/**
 * `cancel` came first: the message goes unrun. A cancellation written before any run knew the job names no job,
 * and one that came during an earlier attempt left the record `retrying`: the record is made `cancelled`, under
 * the job's name and queue, so the CLI and dashboard list it as what it was.
 */
async function cancelledAtClaim(
  o: ResolvedEngineOptions,
  base: RunState,
  record: JobRecord,
): Promise<Disposition> {
  // Cancelled while it ran, then it crashed: the record is still `running`, under the crashed run's fence.
  if (record.status === 'running') return recordCancelled(o, { ...base, fence: record.fence }, undefined);
  // Not yet `cancelled` when `cancel` came during an earlier attempt that failed since (the record says retrying).
  if ((record.jobName === UNKNOWN_JOB_NAME || record.status !== 'cancelled') && o.store) {
    const now = o.clock.nowMs();
    await o.store
      .recordSkipped({
        jobId: base.envelope.id,
        jobName: base.job.name,
        queue: base.job.options.queue,
        status: 'cancelled',
        reason: record.skippedReason ?? 'cancelled before it started',
        createdAtMs: base.envelope.createdAtMs,
        nowMs: now,
        expiresAtSec: record.expiresAtSec,
        payload: base.envelope.payload,
      })
      .catch(() => undefined); // the cancellation stands either way; only the record's label is lost
  }
  emit(o, base, { type: 'cancelled', whileRunning: false });
  return { action: 'ack', outcome: 'cancelled' };
}

/**
 * A FIFO message needs the job store (its attempts are counted there), and an engine whose jobs declare `group`
 * is refused without one at start-up. A message of another job (or producer) on a FIFO queue served without a
 * store could neither retry nor run safely: dead-lettered with that reason rather than retried without end.
 */
function fifoWithoutStore(o: ResolvedEngineOptions, base: RunState): Promise<Disposition> {
  const error = new ConfigError(
    `job "${base.job.name}" arrived on the FIFO queue "${base.message.queue}", but the engine has no job store: FIFO retries wait in place and count their attempts in the store. Give the worker its store (the table), or send this job to a standard queue`,
  );
  return deadLetter(o, base, 'permanent-error', summarizeError(error), { recordState: false });
}

/**
 * The id already names another job, or this job with another payload: neither a duplicate to drop nor a job to run
 * over the other's record. Dead-lettered with the story, and the other job's record is left as it is.
 */
function reusedId(
  o: ResolvedEngineOptions,
  base: RunState,
  record: JobRecord,
  why: 'job' | 'payload',
): Promise<Disposition> {
  const id = JSON.stringify(base.envelope.id);
  const owner =
    why === 'job'
      ? `job id ${id} already names a job "${record.jobName}" (${record.status}); this message is job "${base.job.name}"`
      : `job id ${id} of job "${base.job.name}" was first enqueued with another payload (the record is ${record.status})`;
  const error = new JobIdReusedError(
    `${owner}. A job id names one job: give each job its own id (or leave it to wharf), so one cannot silence the other.`,
  );
  return deadLetter(o, base, 'job-id-reused', summarizeError(error), { recordState: false });
}

function attemptBudget(o: ResolvedEngineOptions, state: RunState, p: ProcessOptions): AttemptBudget {
  const timeoutMs = state.job.options.timeoutMs;
  const fromMs = o.clock.nowMs();
  if (p.deadlineMs === undefined) return { ms: timeoutMs, reason: 'job-timeout', fromMs };
  const untilDeadline = p.deadlineMs - fromMs - o.deadlineSafetyMs;
  return untilDeadline < timeoutMs
    ? { ms: Math.max(0, untilDeadline), reason: 'deadline', fromMs }
    : { ms: timeoutMs, reason: 'job-timeout', fromMs };
}

/** With no state to record (idempotency `off`), the disposition is known at once: no store call, no await. */
function recordSuccess(
  o: ResolvedEngineOptions,
  state: RunState,
  result: unknown,
): Disposition | Promise<Disposition> {
  // Tracked mode writes the whole record, payload included; exactly-once's claim wrote it before the run.
  if (o.store && state.job.options.idempotency === 'tracked')
    return recordSuccessInStore(o, asReceived(state), result);
  if (o.store && state.job.options.idempotency !== 'off') return recordSuccessInStore(o, state, result);
  emit(o, state, { type: 'succeeded', durationMs: o.clock.nowMs() - state.startedAtMs });
  return { action: 'ack', outcome: 'succeeded' };
}

async function recordSuccessInStore(
  o: ResolvedEngineOptions,
  state: RunState,
  result: unknown,
): Promise<Disposition> {
  const store = o.store;
  const durationMs = o.clock.nowMs() - state.startedAtMs;
  if (store) {
    try {
      await store.succeed({
        ...recordStart(o, state),
        jobId: state.envelope.id,
        fence: state.fence,
        nowMs: o.clock.nowMs(),
        result,
      });
    } catch (error) {
      if (hasCode(error, 'WHARF_LEASE_LOST')) {
        // A newer run owns the job (our lease lapsed): its outcome stands, ours is not written over it.
        emit(o, state, { type: 'lease-lost' });
        return { action: 'ack', outcome: 'lease-lost' };
      }
      return release(o, state, 'could not record success', summarizeError(error), error);
    }
  }
  emit(o, state, { type: 'succeeded', durationMs });
  return { action: 'ack', outcome: 'succeeded' };
}

function progressReporter(o: ResolvedEngineOptions, state: RunState): (progress: JobProgress) => void {
  let lastWriteMs = Number.NEGATIVE_INFINITY;
  return (progress) => {
    emit(o, state, { type: 'progress', progress });
    const now = o.clock.nowMs();
    if (!o.store || state.job.options.idempotency === 'off' || now - lastWriteMs < PROGRESS_WRITE_INTERVAL_MS)
      return;
    lastWriteMs = now;
    o.store.progress(state.envelope.id, progress, now).catch(() => {
      // progress is advisory; a failed write must not fail the job
    });
  };
}

/**
 * The worker is stopping and the run did not finish in its grace: give the lease back (so the next worker need
 * not wait for it to lapse) and release the message. The attempt is not used: the job never got to finish it.
 * The lease goes back with the attempt of the message that will return (after a takeover the claimed attempt is
 * higher, and the store would take the returning message for a stale one).
 */
async function abandon(
  o: ResolvedEngineOptions,
  state: RunState,
  messageAttempt: number,
  why = 'worker shutting down',
): Promise<Disposition> {
  if (o.store && state.fence !== undefined) {
    await o.store
      .release({
        jobId: state.envelope.id,
        fence: state.fence,
        attempt: messageAttempt,
        nowMs: o.clock.nowMs(),
      })
      .catch(() => undefined); // the lease then lapses on its own
  }
  return release(o, state, why);
}
