import { SQS_LIMITS } from '../transport/message-limits.js';
import type { OutgoingMessage } from '../transport/types.js';
import { jobAttributes } from './attributes.js';
import { deduplicationIdOf } from './deduplication.js';
import type { Envelope } from './envelope.js';
import { serializeWithinLimit } from './fit.js';

/** SQS's largest DelaySeconds. Longer waits travel as `runAtMs` and hop (or go through Scheduler). */
export const MAX_SQS_DELAY_SECONDS = SQS_LIMITS.maxDelaySeconds;

/** Encodes an envelope as a queue message due at `runAtMs`; the job name and id ride as attributes too. */
export function toOutgoing(envelope: Envelope, nowMs: number): OutgoingMessage {
  const runAtMs = envelope.runAtMs ?? nowMs;
  const delaySeconds = Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil((runAtMs - nowMs) / 1000)));
  const needsRunAt = runAtMs - nowMs > MAX_SQS_DELAY_SECONDS * 1000;
  const { runAtMs: _drop, ...rest } = envelope;
  const wire: Envelope = needsRunAt ? { ...rest, runAtMs } : rest;
  return {
    body: serializeWithinLimit(wire),
    attributes: jobAttributes(envelope.job, envelope.id, envelope.attempt),
    delaySeconds,
    // Every copy of the envelope (a retry, a deferral, a redrive) keeps the producer's trace, so each send links it.
    ...(envelope.trace === undefined ? {} : { traceHeader: envelope.trace }),
    // Only a message with a group can go to a FIFO queue, so only then is a deduplication id worth its hash.
    ...(envelope.group === undefined
      ? {}
      : { groupId: envelope.group, deduplicationId: deduplicationIdOf(envelope, 'queue') }),
  };
}
