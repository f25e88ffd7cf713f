import type { Clock } from '../clock.js';
import type { Envelope } from '../envelope/envelope.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { ConfigError } from '../errors.js';
import type { ResolvedDebounce, ResolvedUnique } from '../job/enqueue-control.js';
import type { JobStore } from '../store/types.js';
import type { PreparedJob } from './prepare.js';

export interface AdmissionDeps {
  readonly clock: Clock;
  readonly store?: JobStore;
}

/** What becomes of one prepared job before anything is sent (README "Unique jobs", "Debounce"). */
export type Admission =
  /** Send it. `lock`: the unique key it took, to give back if the send fails. */
  | {
      readonly kind: 'send';
      readonly job: PreparedJob;
      readonly lock?: { readonly key: string; readonly holder: string };
      readonly debounced?: { readonly count: number };
    }
  /** Its unique key is held by `holder`: nothing is sent. */
  | { readonly kind: 'duplicate'; readonly job: PreparedJob; readonly holder: string };

/**
 * Takes the unique keys and joins the debounced bursts of prepared jobs, in input order: an item whose key an
 * earlier item of the same call took is a duplicate of that one without asking the store. Jobs without either
 * cost nothing here. A store failure throws: the caller hears the enqueue failed, and nothing was sent.
 */
export async function admit(deps: AdmissionDeps, jobs: readonly PreparedJob[]): Promise<Admission[]> {
  const takenInCall = new Map<string, string>();
  const admissions: Admission[] = [];
  for (const job of jobs) admissions.push(await admitOne(deps, job, takenInCall));
  return admissions;
}

async function admitOne(
  deps: AdmissionDeps,
  job: PreparedJob,
  takenInCall: Map<string, string>,
): Promise<Admission> {
  if (job.unique) {
    const earlier = takenInCall.get(job.unique.key);
    if (earlier !== undefined && earlier !== job.jobId) return { kind: 'duplicate', job, holder: earlier };
    const admission = await takeUnique(deps, job, job.unique.key, job.unique.rule);
    if (admission.kind === 'send') takenInCall.set(job.unique.key, job.jobId);
    return admission;
  }
  if (job.debounce) return joinBurst(deps, job, job.debounce.key, job.debounce.rule);
  return { kind: 'send', job };
}

async function takeUnique(
  deps: AdmissionDeps,
  job: PreparedJob,
  key: string,
  unique: ResolvedUnique,
): Promise<Admission> {
  const store = requireStore(deps, job, 'unique');
  const now = deps.clock.nowMs();
  // A window counts from the enqueue; a lock held until the job starts or ends gives up `lockTimeout` after it is due.
  const lockExpiresAtMs = unique.until === 'window' ? now + unique.lockMs : job.runAtMs + unique.lockMs;
  const result = await store.acquireUnique({ key, holder: job.jobId, nowMs: now, lockExpiresAtMs });
  if (result.kind === 'held') return { kind: 'duplicate', job, holder: result.holder };
  // The engine frees a key held until the job starts or ends; a window's key frees itself.
  const released = unique.until === 'window' ? job : withEnvelope(job, { ...job.envelope, unique: key }, now);
  return { kind: 'send', job: released, lock: { key, holder: job.jobId } };
}

/**
 * Every enqueue of a burst sends its own message, due `wait` from now (or at the burst's deadline), carrying a
 * fresh token; the store keeps the latest token and payload. Only the latest message runs the burst; the
 * earlier ones are acknowledged as superseded (store/enqueue-control-decision.ts).
 */
async function joinBurst(
  deps: AdmissionDeps,
  job: PreparedJob,
  key: string,
  debounce: ResolvedDebounce,
): Promise<Admission> {
  const store = requireStore(deps, job, 'debounce');
  const now = deps.clock.nowMs();
  const token = crypto.randomUUID();
  const deadlineMs = debounce.maxWaitMs === undefined ? undefined : now + debounce.maxWaitMs;
  // Kept until well after any run of the burst could happen: its deadline or wait, then a day.
  const lastRunMs = deadlineMs ?? now + debounce.waitMs;
  const burst = await store.pushDebounce({
    key,
    token,
    jobId: job.jobId,
    payload: job.envelope.payload,
    nowMs: now,
    ...(deadlineMs === undefined ? {} : { deadlineMs }),
    expiresAtSec: Math.ceil((Math.max(lastRunMs, now + debounce.waitMs) + 86_400_000) / 1000),
  });
  const dueMs = Math.max(now, Math.min(now + debounce.waitMs, burst.deadlineMs ?? Number.POSITIVE_INFINITY));
  const { runAtMs: _unset, ...rest } = job.envelope;
  const envelope: Envelope = {
    ...rest,
    id: burst.jobId,
    createdAtMs: burst.firstAtMs,
    debounce: { key, token },
    ...(dueMs > now ? { runAtMs: dueMs } : {}),
    ...(job.envelope.expiresAtMs === undefined
      ? {}
      : { expiresAtMs: dueMs + (job.envelope.expiresAtMs - job.runAtMs) }),
  };
  return {
    kind: 'send',
    job: { ...withEnvelope(job, envelope, now), jobId: burst.jobId, runAtMs: dueMs },
    debounced: { count: burst.count },
  };
}

function withEnvelope(job: PreparedJob, envelope: Envelope, nowMs: number): PreparedJob {
  return { ...job, envelope, message: toOutgoing(envelope, nowMs) };
}

function requireStore(deps: AdmissionDeps, job: PreparedJob, option: string): JobStore {
  if (deps.store) return deps.store;
  throw new ConfigError(
    `job "${job.jobName}" has ${option}, which keeps its key in the job table, but this client has no job store: give createClient a store (createAwsRuntime does when WHARF_TABLE_NAME is set)`,
  );
}
