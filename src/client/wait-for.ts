import type { Clock } from '../clock.js';
import { ConfigError, InvalidOptionsError } from '../errors.js';
import type { Random } from '../job/backoff.js';
import type { JobDefinition } from '../job/define-job.js';
import { toMs } from '../job/duration.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobStore } from '../store/types.js';
import { jobOfId } from './cancel.js';
import type { JobRef, WaitForOptions, WaitOutcome, WharfClient } from './types.js';

/** Lets the embedded engine wake a waiter when its job's run ends, instead of leaving it to its next poll. */
export type WaitNudges = (jobId: string, nudge: () => void) => () => void;

export interface WaitDeps {
  readonly clock: Clock;
  readonly store?: JobStore;
  readonly registry?: JobRegistry;
  /** @default Math.random */
  readonly random?: Random;
  readonly nudges?: WaitNudges;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** `client.waitFor` with both its forms: `(jobRef, options)` and `(definition, jobRef, options)`. */
export function waitForMethod(deps: WaitDeps): WharfClient['waitFor'] {
  return ((first: JobDefinition | JobRef, second?: JobRef | WaitForOptions, third?: WaitForOptions) => {
    if (isDefinition(first)) return waitForJob(deps, second as JobRef, third, first);
    return waitForJob(deps, first, second as WaitForOptions | undefined);
  }) as WharfClient['waitFor'];
}

/** A job definition, as `waitFor(job, jobId)` takes it first; a JobRef never has a `perform`. */
function isDefinition(value: JobDefinition | JobRef): value is JobDefinition {
  return typeof value === 'object' && typeof (value as Partial<JobDefinition>).perform === 'function';
}

/**
 * The poll backoff: 100 ms doubling to 2 s. A job that takes a few hundred milliseconds is seen within ~100 ms of
 * its end, and a long wait settles at one read every 1 to 2 s: at most 35 reads in 30 s
 * (README "Waiting for a result" counts them). Equal jitter (half fixed, half random) so that many waiters started together, a batch's
 * callers say, do not read in lockstep, while no pause is shorter than half its step.
 */
export const WAIT_POLL = { firstMs: 100, capMs: 2_000 } as const;

/** The pause before poll `n + 1` (n from 0): `step / 2 + random * step / 2`, `step = min(cap, first * 2^n)`. */
export function pollDelayMs(n: number, random: Random = Math.random): number {
  const step = Math.min(WAIT_POLL.capMs, WAIT_POLL.firstMs * 2 ** Math.min(n, 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Statuses a record does not leave on its own (`dead` only by a redrive, which waitFor does not wait for). */
const TERMINAL = new Set(['succeeded', 'dead', 'discarded', 'expired', 'cancelled']);

/**
 * Reads the job's record until it ends or `timeout` passes (README "Waiting for a result"): one `store.get` per
 * poll, with `pollDelayMs` between polls and a last poll at the deadline, so a job that ended just before it is
 * not reported as a timeout. The signal stops it at once, in a poll or a pause, with the signal's reason.
 */
export async function waitForJob<R>(
  deps: WaitDeps,
  ref: JobRef,
  options: WaitForOptions = {},
  definition?: JobDefinition,
): Promise<WaitOutcome<R>> {
  const jobId = typeof ref === 'string' ? ref : ref.jobId;
  const store = storeOf(deps, jobId);
  const timeoutMs =
    options.timeout === undefined ? DEFAULT_TIMEOUT_MS : toMs(options.timeout, 'waitFor timeout');
  const known = definition ?? (deps.registry && jobOfId(deps.registry, jobId));
  if (known?.options.idempotency === 'off') throw recordless(known.name, jobId);
  const { signal } = options;
  const startedMs = deps.clock.nowMs();
  const deadlineMs = startedMs + timeoutMs;
  let polls = 0;
  for (;;) {
    signal?.throwIfAborted();
    const record = await untilAborted(store.get(jobId, deps.clock.nowMs()), signal);
    polls++;
    if (record && definition && record.jobName !== definition.name)
      throw otherJob(jobId, record.jobName, definition);
    if (record && TERMINAL.has(record.status)) return ended<R>(record);
    const remainingMs = deadlineMs - deps.clock.nowMs();
    if (remainingMs <= 0) {
      const waitedMs = deps.clock.nowMs() - startedMs;
      return {
        status: 'timeout',
        jobId,
        last: record?.status,
        waitedMs,
        polls,
        reason: timeoutReason(deps, record?.status, waitedMs),
      };
    }
    await pause(deps, jobId, Math.min(pollDelayMs(polls - 1, deps.random), remainingMs), signal);
  }
}

function storeOf(deps: WaitDeps, jobId: string): JobStore {
  if (deps.store) return deps.store;
  throw new ConfigError(
    `waitFor(${JSON.stringify(jobId)}) reads the job's record, and this client has no job store: give createClient a store (createAwsRuntime makes one from WHARF_TABLE_NAME)`,
  );
}

function ended<R>(record: NonNullable<Awaited<ReturnType<JobStore['get']>>>): WaitOutcome<R> {
  if (record.status === 'succeeded')
    return { status: 'succeeded', jobId: record.jobId, result: record.result as R | undefined, record };
  const status = record.status as 'dead' | 'discarded' | 'expired' | 'cancelled';
  const reason = record.skippedReason ?? record.lastError?.message ?? status;
  return {
    status,
    jobId: record.jobId,
    reason,
    ...(record.lastError ? { error: record.lastError } : {}),
    record,
  };
}

function timeoutReason(deps: WaitDeps, last: string | undefined, waitedMs: number): string {
  const waited = `it had not ended after ${waitedMs} ms`;
  if (last !== undefined) return `${waited} (last seen ${last})`;
  const off = deps.registry?.jobs
    .filter((job) => job.options.idempotency === 'off')
    .map((job) => JSON.stringify(job.name));
  const offNote =
    off === undefined
      ? " A job with idempotency 'off' never has one."
      : off.length > 0
        ? ` Jobs ${off.join(', ')} have idempotency 'off' and never have one.`
        : '';
  return `${waited}, and no record of it was seen: it may still be waiting on its queue, or the id may be mistyped.${offNote}`;
}

function recordless(jobName: string, jobId: string): InvalidOptionsError {
  return new InvalidOptionsError(`waitFor(${JSON.stringify(jobId)})`, [
    `job "${jobName}" has idempotency 'off': it keeps no record, so its end cannot be seen. Give it idempotency 'tracked' (the default) or 'exactly-once' to wait for it`,
  ]);
}

function otherJob(jobId: string, recordedName: string, definition: JobDefinition): InvalidOptionsError {
  return new InvalidOptionsError(`waitFor(${definition.name}, ${JSON.stringify(jobId)})`, [
    `the job id ${JSON.stringify(jobId)} is a job of "${recordedName}", not of "${definition.name}"`,
  ]);
}

/** A store read the signal can cut short: the read goes on, but its answer is dropped. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const NUDGED = Symbol('nudged');

/** Sleeps on the client's clock until the next poll, or until a nudge says the job's run ended. */
async function pause(
  deps: WaitDeps,
  jobId: string,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  signal?.throwIfAborted();
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const unsubscribe = deps.nudges?.(jobId, () => stop.abort(NUDGED));
  try {
    await deps.clock.sleep(ms, stop.signal);
  } catch (reason) {
    if (reason !== NUDGED) throw reason;
  } finally {
    unsubscribe?.();
    signal?.removeEventListener('abort', onAbort);
  }
}
