import type { Clock } from '../clock.js';
import { derivedJobId, type JobDefinition } from '../job/define-job.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore } from '../store/types.js';
import type { CancelResult } from './types.js';

export interface CancelDeps {
  readonly clock: Clock;
  readonly scheduler?: JobScheduler;
  readonly store?: JobStore;
  readonly registry?: JobRegistry;
  /** How long a cancellation of a job not yet claimed is kept (the engine's record retention). */
  readonly recordRetentionMs?: number;
}

/** The engine's default record retention (EngineOptions.recordRetention). */
const DEFAULT_RETENTION_MS = 7 * 86_400_000;

/**
 * Runs claim before they start in exactly-once mode and on a FIFO queue (a `group`), so only they can honour a
 * cancellation of a job already on its queue.
 */
function claimsItsRuns(job: JobDefinition): boolean {
  return job.options.idempotency === 'exactly-once' || job.options.flow.group !== undefined;
}

/**
 * Stops a job wherever it is (README "Cancel"): its pending schedule is deleted; otherwise a cancellation is
 * written that its claim honours, or its running record is marked so its heartbeat aborts `ctx.signal`. A job
 * whose runs do not claim (tracked or off, as far as the registry can tell) is not written to: it would run
 * anyway, and the result says so instead.
 */
export async function cancelJob(deps: CancelDeps, jobId: string): Promise<CancelResult> {
  if (deps.scheduler && (await deps.scheduler.cancel(jobId)))
    return { outcome: 'cancelled', jobId, where: 'schedule' };
  if (!deps.store) {
    return {
      outcome: 'not-cancelled',
      jobId,
      reason: deps.scheduler
        ? 'no pending schedule has this job id, and no job table is configured (WHARF_TABLE_NAME), so a job on its queue cannot be cancelled'
        : 'neither a scheduler nor a job table is configured, so nothing can be cancelled',
    };
  }
  const now = deps.clock.nowMs();
  const known = await deps.store.get(jobId, now);
  const wrongId = known ? undefined : await mistyped(deps, jobId, now);
  if (wrongId) return { outcome: 'not-cancelled', jobId, reason: wrongId };
  const job = deps.registry && jobOfId(deps.registry, jobId, known?.jobName);
  if (job && !claimsItsRuns(job) && known?.status !== 'running') {
    return {
      outcome: 'not-cancelled',
      jobId,
      reason: `job "${job.name}" is ${job.options.idempotency}: its runs do not claim before they start, so a message on its queue cannot be stopped. Give it idempotency: 'exactly-once' to make it cancellable on its queue`,
    };
  }
  const result = await deps.store.requestCancel({
    jobId,
    nowMs: now,
    expiresAtSec: Math.ceil((now + (deps.recordRetentionMs ?? DEFAULT_RETENTION_MS)) / 1000),
  });
  switch (result.kind) {
    case 'cancelled': {
      // No record yet is what a job on its queue looks like, and also what a mistyped id looks like.
      const notes = known || job ? [] : [meantIds(deps.registry, jobId), unclaimedJobs(deps.registry)];
      const note = notes.filter((n) => n !== undefined).join(' ');
      return { outcome: 'cancelled', jobId, where: 'queue', ...(note ? { note } : {}) };
    }
    case 'running':
      return {
        outcome: 'signalled',
        jobId,
        reason:
          'it is running: ctx.signal aborts at its next heartbeat in a worker process (on Lambda the run goes on to its end), and no retry of it starts',
      };
    case 'finished':
      return { outcome: 'not-cancelled', jobId, reason: `it had already ended (${result.record.status})` };
  }
}

/**
 * A cancellation of an id no run has seen, whose job the registry cannot tell (a random id): it holds only if the
 * job's runs claim. Says which jobs would run anyway, or that any might when there is no registry to ask.
 */
function unclaimedJobs(registry: JobRegistry | undefined): string | undefined {
  if (!registry) {
    return "Only a job whose runs claim (idempotency 'exactly-once', or a FIFO group) honours it: a job of another mode on its queue runs anyway.";
  }
  const unclaimed = registry.jobs.filter((job) => !claimsItsRuns(job)).map((job) => JSON.stringify(job.name));
  if (unclaimed.length === 0) return undefined;
  return `If it is a job of ${unclaimed.join(', ')}, it runs anyway: their runs do not claim before they start, so only a job whose runs claim honours it.`;
}

/** The job an id belongs to, when the registry can tell: its record names it, or the id derives from its name. */
export function jobOfId(
  registry: JobRegistry,
  jobId: string,
  recordedName?: string,
): JobDefinition | undefined {
  if (recordedName !== undefined) return registry.get(recordedName);
  const separator = jobId.indexOf(':');
  if (separator <= 0) return undefined;
  const job = registry.get(jobId.slice(0, separator));
  return job?.deriveJobId ? job : undefined;
}

/**
 * When an id looks like what a `jobId` function returned rather than the job id it became (`'i1'` for
 * `'send-invoice:i1'`), the ids it may have meant: that mix-up is the likeliest reason an id is not found.
 */
export function meantIds(registry: JobRegistry | undefined, jobId: string): string | undefined {
  const meant = meantIdList(registry, jobId);
  if (meant.length === 0) return undefined;
  return `An id from a job's jobId function starts with the job's name: did you mean ${meant.map((id) => JSON.stringify(id)).join(' or ')}? performLater returns the full id as jobId, and job.jobIdFor(payload) computes it`;
}

function meantIdList(registry: JobRegistry | undefined, jobId: string): string[] {
  const deriving = registry?.jobs.filter((job) => job.deriveJobId) ?? [];
  if (deriving.some((job) => jobId.startsWith(`${job.name}:`))) return [];
  return deriving.map((job) => derivedJobId(job.name, jobId));
}

/**
 * No run of this id was seen: before writing a cancellation for it, the ids it may have meant are looked up (a
 * record or a pending schedule), so a mistyped id is answered as one instead of "cancelled".
 */
async function mistyped(deps: CancelDeps, jobId: string, nowMs: number): Promise<string | undefined> {
  for (const meant of meantIdList(deps.registry, jobId)) {
    const exists =
      (await deps.store?.get(meant, nowMs)) !== undefined ||
      (deps.scheduler !== undefined && (await deps.scheduler.getJob(meant)) !== undefined);
    if (exists) return `no job has the id ${JSON.stringify(jobId)}. ${meantIds(deps.registry, jobId)}`;
  }
  return undefined;
}
