import { dispatch } from '../dispatch/dispatch.js';
import { routeOf } from '../dispatch/route.js';
import { decodeEnvelope } from '../envelope/decode.js';
import type { Envelope } from '../envelope/envelope.js';
import { ConfigError, EnqueueFailedError, InvalidOptionsError, SchedulerError } from '../errors.js';
import { toRecurringSchedule } from '../schedule/define-recurring.js';
import type { JobScheduler } from '../schedule/types.js';
import type { Transport } from '../transport/types.js';
import { type CancelDeps, cancelJob, meantIds } from './cancel.js';
import { resolveRunAt } from './prepare.js';
import type { CancelResult, JobRef, RescheduleOptions, RescheduleResult, WharfClient } from './types.js';

interface Deps extends CancelDeps {
  readonly transport: Transport;
}

export const NO_SCHEDULER =
  'no scheduler is configured (WHARF_SCHEDULE_GROUP is not set): long delays hop through SQS, and a message ' +
  'on a queue cannot be withdrawn';
export const NOT_PENDING =
  'no pending schedule has this job id: it has fired, it was sent to SQS directly (due within 15 minutes or ' +
  'in the past), or the id is unknown. A message already on a queue cannot be withdrawn';

/** cancel, reschedule and run-time recurring tasks: the client methods that need a scheduler. */
export function scheduleMethods(
  deps: Deps,
): Pick<WharfClient, 'cancel' | 'reschedule' | 'upsertRecurring' | 'deleteRecurring'> {
  return {
    cancel: (job): Promise<CancelResult> => cancelJob(deps, idOf(job)),
    reschedule: (job, when) => reschedule(deps, idOf(job), when),
    async upsertRecurring(task) {
      const scheduler = requireScheduler(deps, 'upsertRecurring');
      if (deps.registry?.recurring.some((declared) => declared.task === task.task)) {
        throw new InvalidOptionsError(`recurring task "${task.task}"`, [
          'it is declared in code (registry.recurring) and deployed by the CDK construct; give the run-time task another key',
        ]);
      }
      if (!task.enabled) {
        await scheduler.deleteRecurring(task.task);
        return 'deleted';
      }
      return scheduler.upsertRecurring(toRecurringSchedule(task));
    },
    deleteRecurring: (task) => requireScheduler(deps, 'deleteRecurring').deleteRecurring(task),
  };
}

/**
 * Moves a job that waits in its schedule. Still beyond 15 minutes: the schedule is updated (time and body).
 * Sooner: the job is sent to SQS first and only then its schedule deleted, so a failure in between leaves the
 * job scheduled twice, never lost.
 */
async function reschedule(deps: Deps, jobId: string, when: RescheduleOptions): Promise<RescheduleResult> {
  const now = deps.clock.nowMs();
  const problems: string[] = [];
  const runAtMs = resolveRunAt(when, now, problems);
  if (when.delay === undefined && when.at === undefined) problems.push('give "delay" or "at"');
  if (problems.length > 0) throw new InvalidOptionsError(`reschedule of ${jobId}`, problems);
  if (!deps.scheduler) return { outcome: 'not-scheduled', jobId, reason: NO_SCHEDULER };
  const record = await deps.scheduler.getJob(jobId);
  if (!record?.queue) return { outcome: 'not-scheduled', jobId, reason: notPending(deps, jobId) };
  const decoded = decodeEnvelope(record.body);
  if (!decoded.ok) throw new SchedulerError(`The schedule of ${jobId} does not carry a wharf envelope.`);
  const { runAtMs: _old, ...rest } = decoded.envelope;
  const next: Envelope = { ...rest, enqueuedAtMs: now, ...(runAtMs > now ? { runAtMs } : {}) };
  const done = { outcome: 'rescheduled' as const, jobId, runAtMs: Math.max(runAtMs, now) };
  if (routeOf(next, record.queue, now, deps.scheduler) === 'scheduler') {
    if (!(await deps.scheduler.reschedule(jobId, runAtMs, JSON.stringify(next))))
      return { outcome: 'not-scheduled', jobId, reason: NOT_PENDING };
    return { ...done, via: 'scheduler' };
  }
  // Due within 15 minutes: dispatch sends it to the queue (the scheduler is not asked, so the policy never applies).
  const [sent] = await dispatch(deps, [{ queue: record.queue, envelope: next }], 'fail');
  if (!sent?.ok)
    throw new EnqueueFailedError(
      `Could not send ${jobId} to its queue: ${sent?.detail}`,
      sent?.cause ? { cause: sent.cause } : undefined,
    );
  const cancelled = await deps.scheduler.cancel(jobId);
  return { ...done, via: 'queue', ...(cancelled ? {} : { alsoFired: true }) };
}

function idOf(job: JobRef): string {
  if (typeof job === 'string') return job;
  if (typeof job?.jobId === 'string') return job.jobId;
  throw new InvalidOptionsError('job reference', [
    `expected a job id or what performLater returned (an object with jobId), received ${JSON.stringify(job)}`,
  ]);
}

/** NOT_PENDING, and the ids it may have meant when it looks like what a `jobId` function returned. */
function notPending(deps: Deps, jobId: string): string {
  const meant = meantIds(deps.registry, jobId);
  return meant ? `${NOT_PENDING}. ${meant}` : NOT_PENDING;
}

function requireScheduler(deps: Deps, method: string): JobScheduler {
  if (!deps.scheduler) throw new ConfigError(`${method} needs a scheduler: ${NO_SCHEDULER.split(':')[0]}.`);
  return deps.scheduler;
}
