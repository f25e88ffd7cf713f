import { prepareOrReject } from '../client/enqueue-rejection.js';
import type { PreparedJob } from '../client/prepare.js';
import type { EnqueuedJob, EnqueueRequest, Enqueuer } from '../client/types.js';
import type { JobRegistry } from '../job/registry.js';
import type { ManualClock } from '../local/manual-clock.js';
import type { AnyJob, CapturedJob, PerformedJob } from './types.js';

/** A captured job with what running it needs besides its public view. */
export interface CaptureEntry {
  readonly captured: CapturedJob;
  readonly job: AnyJob;
  /** Enqueue order: tells which jobs were enqueued during one performEnqueued call. */
  readonly seq: number;
  readonly createdAtMs: number;
  /** The job that was running when this one was enqueued, if any. */
  readonly enqueuedBy?: string;
}

/** What one test mode holds: its clock, the jobs waiting to run, and those that ran. */
export interface CaptureState {
  readonly clock: ManualClock;
  readonly random: () => number;
  /** When test mode was given the app's registry: jobs it does not hold are refused, as the client refuses them. */
  readonly registry?: JobRegistry;
  pending: CaptureEntry[];
  performed: PerformedJob[];
  /** Ids of `exactly-once` jobs that succeeded: a duplicate of one is skipped, as the engine would. */
  readonly completedIds: Set<string>;
  /** The job `performEnqueued` is running now; it runs one at a time, so this attributes what gets enqueued. */
  running?: string;
  seq: number;
}

export function createCaptureState(
  clock: ManualClock,
  random: () => number,
  registry?: JobRegistry,
): CaptureState {
  return {
    clock,
    random,
    ...(registry ? { registry } : {}),
    pending: [],
    performed: [],
    completedIds: new Set(),
    seq: 0,
  };
}

// The test mode that runJob reports to when it is called on its own: process-wide, like the default enqueuer.
let active: CaptureState | undefined;

export function activeCapture(): CaptureState | undefined {
  return active;
}

export function setActiveCapture(state: CaptureState | undefined): CaptureState | undefined {
  const previous = active;
  active = state;
  return previous;
}

/** An Enqueuer that validates through the production path (`prepare`), then keeps the job instead of sending it. */
export function createCapturingEnqueuer(state: CaptureState): Enqueuer {
  return {
    async enqueue(request) {
      const [prepared] = await prepareOrReject([request], state.clock, state.registry, false);
      return keep(state, request, prepared!);
    },
    async enqueueMany(requests) {
      const prepared = await prepareOrReject(requests, state.clock, state.registry, true);
      return { enqueued: prepared.map((job, i) => keep(state, requests[i]!, job)), failed: [] };
    },
  };
}

function keep(state: CaptureState, request: EnqueueRequest, prepared: PreparedJob): EnqueuedJob {
  // The payload is read back from the message body, so tests see exactly what a worker would receive.
  const envelope = JSON.parse(prepared.message.body) as { payload: unknown; createdAtMs: number };
  const now = state.clock.nowMs();
  const captured: CapturedJob = {
    jobName: prepared.jobName,
    jobId: prepared.jobId,
    queue: prepared.queue,
    payload: envelope.payload,
    attempt: 1,
    enqueuedAtMs: now,
    runAtMs: prepared.runAtMs,
  };
  addEntry(state, {
    captured,
    job: request.job,
    createdAtMs: envelope.createdAtMs,
    enqueuedBy: state.running,
  });
  return {
    jobId: prepared.jobId,
    jobName: prepared.jobName,
    queue: prepared.queue,
    runAtMs: prepared.runAtMs,
  };
}

export function addEntry(state: CaptureState, entry: Omit<CaptureEntry, 'seq'>): void {
  state.pending.push({ ...entry, seq: state.seq++ });
}
