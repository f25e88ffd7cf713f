import { decodeEnvelope } from '../envelope/decode.js';
import type { Envelope } from '../envelope/envelope.js';
import { summarizeError } from '../envelope/envelope.js';
import { errorMessage, InvalidPayloadError, UnknownJobError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import { validatePayload } from '../job/validate-payload.js';
import type { OutgoingMessage, ReceivedMessage } from '../transport/types.js';
import { countInBatch } from './batch-gate.js';
import { deadLetterFromRaw } from './dead-letter.js';
import { type Admitted, expireIfLate, releaseUniqueKey, takeBurst } from './enqueue-gate.js';
import { reportUnreadMessage } from './failure-hooks.js';
import { deadLetter, defer, emit, release } from './outcomes.js';
import { type ResolvedEngineOptions, resolveEngineOptions } from './resolve-options.js';
import { runClaimed } from './run-claimed.js';
import type { Disposition, Engine, EngineOptions, ProcessOptions } from './types.js';
import { deferralsSoFar } from './wait-in-place.js';

/** A message that arrives this much before its `runAtMs` runs anyway: clocks and SQS delays are not exact. */
const EARLY_TOLERANCE_MS = 1_000;

/**
 * The one job lifecycle every adapter shares (Lambda, worker process, embedded engine):
 * decode -> find the job -> validate -> claim -> run -> record the outcome -> ack or release.
 */
export function createEngine(options: EngineOptions): Engine {
  const o = resolveEngineOptions(options);
  return {
    process: async (message, processOptions = {}) => {
      let disposition: Disposition;
      try {
        // No closure unless a hook wants one: this runs once per message, on the worker's hottest path.
        disposition = !o.aroundProcess
          ? await processMessage(o, message, processOptions)
          : await o.aroundProcess(() => processMessage(o, message, processOptions));
      } catch (error) {
        // Unreachable by design; if it happens, the message comes back rather than being lost.
        disposition = release(o, { message }, 'internal error', summarizeError(error), error);
      }
      // Reports started where nothing could wait for them (a release) end before the adapter acks or returns.
      if (o.reports?.pending) await o.reports.flush();
      return disposition;
    },
  };
}

async function processMessage(
  o: ResolvedEngineOptions,
  message: ReceivedMessage,
  p: ProcessOptions,
): Promise<Disposition> {
  const decoded = decodeEnvelope(message.body);
  if (!decoded.ok) return rejectRaw(o, message, decoded);
  const envelope = decoded.envelope;
  const disposition = await decodedRun(o, message, envelope, p);
  // A batch child's outcome is counted once it is durable, before its message goes (README "Batches").
  return envelope.batch === undefined ? disposition : countInBatch(o, { message, envelope }, disposition);
}

async function decodedRun(
  o: ResolvedEngineOptions,
  message: ReceivedMessage,
  envelope: Envelope,
  p: ProcessOptions,
): Promise<Disposition> {
  const now = o.clock.nowMs();
  // Before the job lookup: a worker that does not know the job yet (deploy skew) must not cut its delay short.
  if (envelope.runAtMs !== undefined && envelope.runAtMs - now > EARLY_TOLERANCE_MS) {
    return defer(o, { message, envelope }, 'not-due', envelope.runAtMs - now);
  }
  const job = o.registry.get(envelope.job);
  if (!job) return unknownJob(o, message, envelope);
  const admitted = envelope.debounce ? await takeBurst(o, { message, envelope }, job) : { message, envelope };
  if ('action' in admitted) return admitted;
  const disposition = await admittedRun(o, admitted, job, now, p);
  // A job that holds a unique key until it ends gives it back once its outcome is durable.
  if (admitted.envelope.unique !== undefined) await releaseUniqueKey(o, admitted.envelope, job, disposition);
  return disposition;
}

async function admittedRun(
  o: ResolvedEngineOptions,
  { message, envelope }: Admitted,
  job: JobDefinition,
  now: number,
  p: ProcessOptions,
): Promise<Disposition> {
  const validation = await safeValidate(job, envelope.payload);
  const isRedrive = envelope.deadLetter !== undefined;
  const attempt = isRedrive ? 1 : envelope.attempt;
  const base = { message, envelope, job, attempt, startedAtMs: now };
  if (!validation.ok) {
    const error = summarizeError(new InvalidPayloadError(job.name, validation.issues));
    return deadLetter(o, base, 'invalid-payload', error);
  }
  // Before flow control: an expired job takes no slot and no throttle start.
  const expired = envelope.expiresAtMs === undefined ? undefined : await expireIfLate(o, base);
  if (expired) return expired;
  if (p.deadlineMs !== undefined && p.deadlineMs - now - o.deadlineSafetyMs < o.minRunMs) {
    return release(o, base, 'too close to the invocation deadline to start');
  }
  return runClaimed(o, base, validation.value, p);
}

async function safeValidate(job: JobDefinition, payload: unknown) {
  try {
    return await validatePayload(job.schema, payload);
  } catch (error) {
    return {
      ok: false as const,
      issues: [`the schema threw: ${errorMessage(error)}`],
    };
  }
}

async function rejectRaw(
  o: ResolvedEngineOptions,
  message: ReceivedMessage,
  decoded: Extract<ReturnType<typeof decodeEnvelope>, { ok: false }>,
): Promise<Disposition> {
  const now = o.clock.nowMs();
  const error = { name: 'EnvelopeError', code: 'WHARF_BAD_ENVELOPE', message: decoded.message };
  const info = {
    reason: decoded.reason,
    queue: message.queue,
    attempts: 0,
    firstFailedAtMs: now,
    lastFailedAtMs: now,
    error,
  };
  try {
    await o.transport.sendToDeadLetter(message.queue, rawDeadLetter(message, info, decoded));
  } catch (cause) {
    return release(o, { message }, 'dead-letter write failed', summarizeError(cause), cause);
  }
  emit(o, { message }, { type: 'dead', reason: decoded.reason, error });
  const reported = reportUnreadMessage(o, message, decoded.reason, error);
  if (reported) await reported;
  return { action: 'ack', outcome: 'dead-lettered' };
}

/** A FIFO dead letter needs the message's group and a deduplication id: the message id, as nothing else is known. */
function rawDeadLetter(
  message: ReceivedMessage,
  info: Parameters<typeof deadLetterFromRaw>[1],
  known: Parameters<typeof deadLetterFromRaw>[2],
): OutgoingMessage {
  const letter = deadLetterFromRaw(message.body, info, known);
  if (message.groupId === undefined) return letter;
  return { ...letter, groupId: message.groupId, deduplicationId: `raw:${message.messageId}`.slice(0, 128) };
}

/** A job this worker does not know: maybe the producer was deployed first. Put off a few times, then dead-letter. */
async function unknownJob(
  o: ResolvedEngineOptions,
  message: ReceivedMessage,
  envelope: Envelope,
): Promise<Disposition> {
  if (deferralsSoFar({ message, envelope }) < o.unknownJobDeferrals)
    return defer(o, { message, envelope }, 'unknown-job', o.unknownJobDelayMs);
  const error = summarizeError(
    new UnknownJobError(
      `message on queue "${message.queue}"`,
      [envelope.job],
      o.registry.jobs.map((job) => job.name),
      [`no job named "${envelope.job}" is registered on queue "${message.queue}" of this worker`],
    ),
  );
  const known = { message, envelope, attempt: envelope.attempt, startedAtMs: o.clock.nowMs() };
  return deadLetter(o, { ...known, job: placeholderJob(envelope.job, message.queue) }, 'unknown-job', error);
}

/** Only used to describe an unknown job's dead letter; never run. */
function placeholderJob(name: string, queue: string): JobDefinition {
  return { name, options: { queue, idempotency: 'off' } } as unknown as JobDefinition;
}
