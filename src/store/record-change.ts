import type {
  ClaimInput,
  FailedInput,
  JobRecord,
  NoteDeferralInput,
  RecordStart,
  SkipInput,
  StepInput,
  SucceededInput,
  SuspendInput,
} from './types.js';
import { PAYLOAD_MAX_BYTES, RESULT_MAX_BYTES } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type RecordFields = Partial<Mutable<JobRecord>>;

/**
 * One write to a job record, described once and applied by every adapter (the memory store to an object, the
 * DynamoDB store as an update expression), so both leave identical records behind.
 */
export interface RecordChange {
  readonly set: RecordFields;
  /** Written only where the record has no value yet. */
  readonly setIfAbsent?: RecordFields;
  readonly remove?: readonly (keyof JobRecord)[];
  /** fence = (current fence or 0) + 1: every claim gets a fence no earlier claim had. */
  readonly bumpFence?: boolean;
}

/** What a claim writes, whatever the record looked like before. */
export function claimChange(input: ClaimInput, attempt: number): RecordChange {
  const now = input.nowMs;
  const payload = storableJson(input.payload, PAYLOAD_MAX_BYTES);
  return {
    set: {
      jobId: input.jobId,
      jobName: input.jobName,
      queue: input.queue,
      status: 'running',
      attempt,
      nextAttempt: attempt + 1,
      leaseExpiresAtMs: now + input.leaseMs,
      startedAtMs: now,
      updatedAtMs: now,
      expiresAtSec: input.expiresAtSec,
      ...(payload ? { payload: payload.value } : {}),
      ...(input.payloadHash ? { payloadHash: input.payloadHash } : {}),
    },
    setIfAbsent: { createdAtMs: now },
    // A new run starts without the previous run's leftovers; lastError and failures stay as the job's history.
    remove: ['finishedAtMs', 'result', 'progress', 'deferred'],
    bumpFence: true,
  };
}

/**
 * Success as the run that claimed (fenced) sets only what the run changed: the claim already wrote the job's
 * name, queue, attempt, start and payload, and the fence condition guarantees the record is that claim's. Only
 * `createdAtMs` is set again, because the claim did not know the enqueue time. Tracked mode has no claim, so its
 * upsert writes every field.
 */
export function succeedChange(input: SucceededInput): RecordChange {
  const stored = storableJson(input.result, RESULT_MAX_BYTES);
  const outcome: RecordFields = {
    status: 'succeeded',
    createdAtMs: input.createdAtMs,
    updatedAtMs: input.nowMs,
    finishedAtMs: input.nowMs,
    expiresAtSec: input.expiresAtSec,
    ...(stored ? { result: stored.value } : {}),
  };
  const remove: (keyof JobRecord)[] = stored
    ? ['leaseExpiresAtMs', 'deferred']
    : ['leaseExpiresAtMs', 'result', 'deferred'];
  if (input.fence !== undefined) return { set: outcome, remove };
  return {
    set: { ...outcomeFields(input, 'succeeded'), ...outcome },
    setIfAbsent: { fence: 0 },
    remove,
  };
}

export function failChange(input: FailedInput): RecordChange {
  const retrying = input.status === 'retrying';
  return {
    set: {
      ...outcomeFields(input, input.status),
      lastError: input.error,
      failures: [...input.failures],
      ...(retrying ? { nextAttempt: input.nextAttempt ?? input.attempt + 1 } : { finishedAtMs: input.nowMs }),
    },
    setIfAbsent: { fence: 0 },
    remove: retrying
      ? ['leaseExpiresAtMs', 'result', 'finishedAtMs', 'deferred']
      : ['leaseExpiresAtMs', 'result', 'deferred'],
  };
}

export function releaseChange(attempt: number, nowMs: number): RecordChange {
  return {
    set: { status: 'queued', nextAttempt: attempt, updatedAtMs: nowMs },
    remove: ['leaseExpiresAtMs'],
  };
}

/**
 * A note of why a job waits, as one upsert: `deferred` and `updatedAtMs` always, the rest only where the record
 * has no value. On a waiting record (queued or retrying) that changes just the note; where there is no record
 * yet, it creates a `queued` one that a claim of the attempt coming back takes (`nextAttempt` is that attempt;
 * `attempt` the one before, none having run). Adapters apply it only to a waiting record or to none (one past
 * its retention counts as none, and keeps only its fence, as a claim that starts over does).
 */
export function deferralChange(input: NoteDeferralInput): RecordChange {
  const payload = storableJson(input.payload, PAYLOAD_MAX_BYTES);
  return {
    set: { deferred: { ...input.note }, updatedAtMs: input.nowMs },
    setIfAbsent: {
      jobId: input.jobId,
      jobName: input.jobName,
      queue: input.queue,
      status: 'queued',
      attempt: input.attempt - 1,
      nextAttempt: input.attempt,
      fence: 0,
      createdAtMs: input.createdAtMs,
      expiresAtSec: input.expiresAtSec,
      ...(payload ? { payload: payload.value } : {}),
    },
  };
}

/**
 * A step completed. The run that claimed (fenced) changes only the steps; tracked mode has no claim, so its first
 * step creates a `running` record that the outcome's upsert completes.
 */
export function stepChange(input: StepInput): RecordChange {
  const set: RecordFields = { steps: copySteps(input.steps), updatedAtMs: input.nowMs };
  if (input.fence !== undefined) return { set };
  const { steps: _steps, updatedAtMs: _at, ...created } = outcomeFields(input, 'running');
  return { set, setIfAbsent: { ...created, fence: 0 } };
}

/** The run sleeps: back to `queued` for the same attempt, its steps kept, the wake time as its note. */
export function suspendChange(input: SuspendInput): RecordChange {
  const set: RecordFields = {
    status: 'queued',
    nextAttempt: input.attempt,
    steps: copySteps(input.steps),
    deferred: { why: 'sleep', untilMs: input.untilMs, count: input.deferrals },
    updatedAtMs: input.nowMs,
  };
  const remove: (keyof JobRecord)[] = ['leaseExpiresAtMs', 'progress'];
  if (input.fence !== undefined) return { set, remove };
  return { set: { ...outcomeFields(input, 'queued'), ...set }, setIfAbsent: { fence: 0 }, remove };
}

function copySteps(steps: StepInput['steps']): NonNullable<JobRecord['steps']> {
  return JSON.parse(JSON.stringify(steps)) as NonNullable<JobRecord['steps']>;
}

export function extendLeaseChange(leaseExpiresAtMs: number): RecordChange {
  // updatedAtMs stays: a lease extension is a heartbeat, not a change of state (and, on an indexed record, would
  // cost an index write).
  return { set: { leaseExpiresAtMs } };
}

export function progressChange(progress: NonNullable<JobRecord['progress']>, nowMs: number): RecordChange {
  return { set: { progress: { ...progress }, updatedAtMs: nowMs } };
}

/** Applies a change to a record (or to nothing, for a record the change creates). */
export function applyChange(base: RecordFields | undefined, change: RecordChange): JobRecord {
  const next: RecordFields = { ...base };
  for (const [field, value] of Object.entries(change.setIfAbsent ?? {}) as [keyof JobRecord, unknown][]) {
    if (next[field] === undefined) Object.assign(next, { [field]: value });
  }
  for (const field of change.remove ?? []) delete next[field];
  Object.assign(next, change.set);
  if (change.bumpFence) next.fence = (base?.fence ?? 0) + 1;
  return next as JobRecord;
}

/** Records carry what JSON can carry: both adapters store results and payloads as their JSON round trip. */
function storableJson(value: unknown, maxBytes: number): { readonly value: unknown } | undefined {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined; // a cyclic or BigInt result is still a success; only the copy of its value is skipped
  }
  if (json === undefined || Buffer.byteLength(json, 'utf8') > maxBytes) return undefined;
  return { value: JSON.parse(json) };
}

function outcomeFields(
  input: RecordStart & { jobId: string; nowMs: number },
  status: JobRecord['status'],
): RecordFields {
  const payload = storableJson(input.payload, PAYLOAD_MAX_BYTES);
  return {
    jobId: input.jobId,
    jobName: input.jobName,
    queue: input.queue,
    status,
    attempt: input.attempt,
    nextAttempt: input.attempt + 1,
    createdAtMs: input.createdAtMs,
    startedAtMs: input.startedAtMs,
    updatedAtMs: input.nowMs,
    expiresAtSec: input.expiresAtSec,
    ...(payload ? { payload: payload.value } : {}),
  };
}

/**
 * A job that ends without running: `expired`, or `cancelled`. On a waiting record it changes the status (and
 * keeps its history); where there is none it creates the whole record; on a cancellation that `cancel` wrote
 * before any claim (UNKNOWN_JOB_NAME) it fills in the job's name and queue.
 */
export function skipChange(input: SkipInput): RecordChange {
  const payload = storableJson(input.payload, PAYLOAD_MAX_BYTES);
  return {
    // The job's name and queue are set, not kept: a cancellation recorded before the claim knew neither.
    set: {
      jobName: input.jobName,
      queue: input.queue,
      status: input.status,
      skippedReason: input.reason,
      updatedAtMs: input.nowMs,
      finishedAtMs: input.nowMs,
    },
    setIfAbsent: {
      jobId: input.jobId,
      attempt: 0,
      nextAttempt: 1,
      fence: 0,
      createdAtMs: input.createdAtMs,
      expiresAtSec: input.expiresAtSec,
      ...(payload ? { payload: payload.value } : {}),
    },
    remove: ['leaseExpiresAtMs', 'deferred'],
  };
}

/** The job name (and queue) of a cancellation written before any run knew them. */
export const UNKNOWN_JOB_NAME = '?';

/**
 * `cancel` of a job that has not started. Without a record (the job is on its queue, not yet claimed) it
 * creates a `cancelled` one that knows only the id: the claim fills in nothing, it just honours it. The job's
 * name and queue are unknown here, so they read `?` until then.
 */
export function cancelChange(jobId: string, nowMs: number, expiresAtSec: number): RecordChange {
  return {
    set: {
      status: 'cancelled',
      cancelRequestedAtMs: nowMs,
      skippedReason: 'cancelled before it started',
      updatedAtMs: nowMs,
      finishedAtMs: nowMs,
    },
    setIfAbsent: {
      jobId,
      jobName: UNKNOWN_JOB_NAME,
      queue: UNKNOWN_JOB_NAME,
      attempt: 0,
      nextAttempt: 1,
      fence: 0,
      createdAtMs: nowMs,
      expiresAtSec,
    },
    remove: ['leaseExpiresAtMs', 'deferred'],
  };
}

/** `cancel` of a running job: marked, so its heartbeat aborts `ctx.signal` and its claim of a retry refuses. */
export function cancelRunningChange(nowMs: number): RecordChange {
  return { set: { cancelRequestedAtMs: nowMs } };
}
