import type { Envelope } from '../envelope/envelope.js';
import { summarizeError } from '../envelope/envelope.js';
import { ConfigError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { ReceivedMessage } from '../transport/types.js';
import { deadLetter, defer, emit, release } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { AckOutcome, Disposition, RunState } from './types.js';

// What enqueue control decides at the worker, before a run: whether a debounced message carries its burst, and
// whether a job is past its expiry; and, after, giving a unique key back (README "Unique jobs", "Debounce",
// "Expiry").

/** The message this run carries, as far as the steps after it are concerned. */
export interface Admitted {
  readonly message: ReceivedMessage;
  readonly envelope: Envelope;
}

/**
 * A debounced message runs its burst only when the store says so, and then with the burst's latest payload and
 * without its mark: every copy sent from here on (a retry, a deferral, a dead letter) is a plain job of the
 * burst's id, which no later take may supersede. The message's body is replaced too, because the steps that
 * write a copy read the body again (run-claimed.ts `asReceived`).
 */
export async function takeBurst(
  o: ResolvedEngineOptions,
  admitted: Admitted,
  job: JobDefinition,
): Promise<Admitted | Disposition> {
  const { envelope } = admitted;
  const mark = envelope.debounce!;
  const base = { ...admitted, job, attempt: envelope.attempt, startedAtMs: o.clock.nowMs() };
  if (!o.store) {
    const error = new ConfigError(
      `job "${job.name}" is debounced, and its burst is kept in the job table, but this engine has no job store`,
    );
    return deadLetter(o, base, 'permanent-error', summarizeError(error), { recordState: false });
  }
  let taken: Awaited<ReturnType<NonNullable<ResolvedEngineOptions['store']>['takeDebounce']>>;
  const now = o.clock.nowMs();
  try {
    taken = await o.store.takeDebounce({
      key: mark.key,
      token: mark.token,
      jobId: envelope.id,
      waitMs: job.options.enqueue.debounce?.waitMs ?? 0,
      nowMs: now,
    });
  } catch (error) {
    return release(o, base, 'job store unavailable for debounce', summarizeError(error), error);
  }
  if (taken.kind === 'superseded') {
    emit(o, base, { type: 'debounced' });
    return { action: 'ack', outcome: 'debounced' };
  }
  if (taken.kind === 'wait') return defer(o, admitted, 'debounce', Math.max(1_000, taken.untilMs - now));
  const { debounce: _taken, ...rest } = envelope;
  const carried: Envelope = { ...rest, payload: taken.payload };
  return { message: { ...admitted.message, body: JSON.stringify(carried) }, envelope: carried };
}

/**
 * A job not started by its `expiresAtMs` ends here: recorded `expired` (when the job keeps state), counted, no
 * run and no dead letter. Only a first attempt that no operator redrove can expire: a retry has started, and a
 * redrive is an operator asking for a run. A record that shows a start (a crashed exactly-once run coming back)
 * is not expired either: the store says `started`, and the run goes on.
 */
export async function expireIfLate(
  o: ResolvedEngineOptions,
  base: RunState,
): Promise<Disposition | undefined> {
  const { envelope, job } = base;
  const now = o.clock.nowMs();
  if (envelope.expiresAtMs === undefined || now < envelope.expiresAtMs) return undefined;
  if (base.attempt !== 1 || envelope.deadLetter !== undefined) return undefined;
  const lateMs = now - envelope.expiresAtMs;
  if (o.store && job.options.idempotency !== 'off') {
    try {
      const recorded = await o.store.recordSkipped({
        jobId: envelope.id,
        jobName: job.name,
        queue: job.options.queue,
        status: 'expired',
        reason: `not started by ${new Date(envelope.expiresAtMs).toISOString()} (expiresIn); ${Math.round(lateMs / 1000)} s late`,
        createdAtMs: envelope.createdAtMs,
        nowMs: now,
        expiresAtSec: Math.ceil((now + o.recordRetentionMs) / 1000),
        payload: envelope.payload,
      });
      if (recorded === 'started') return undefined;
    } catch (error) {
      return release(o, base, 'job store unavailable to record expiry', summarizeError(error), error);
    }
  }
  emit(o, base, { type: 'expired', lateMs });
  return { action: 'ack', outcome: 'expired' };
}

/** Outcomes after which a job holds its unique key no longer: it ended, whatever way. */
const ENDED: ReadonlySet<AckOutcome> = new Set([
  'succeeded',
  'dead-lettered',
  'discarded',
  'duplicate',
  'expired',
  'cancelled',
]);

/**
 * Gives the job's unique key back: when the run starts (`until: 'started'`), or once the job has ended. Only the
 * holder's own lock goes (a newer holder's is left alone), and a failure here costs only the wait for the lock's
 * own expiry, so it is never the job's failure.
 */
export async function releaseUniqueKey(
  o: ResolvedEngineOptions,
  envelope: Envelope,
  job: JobDefinition | undefined,
  moment: 'started' | Disposition,
): Promise<void> {
  if (envelope.unique === undefined || !o.store) return;
  const until = job?.options.enqueue.unique?.until ?? 'finished';
  if (moment === 'started' ? until !== 'started' : moment.action !== 'ack' || !ENDED.has(moment.outcome))
    return;
  await o.store
    .releaseUnique({ key: envelope.unique, holder: envelope.id, nowMs: o.clock.nowMs() })
    .catch(() => undefined);
}
