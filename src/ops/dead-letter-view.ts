import { decodeEnvelope } from '../envelope/decode.js';
import { ATTR, type Envelope, type ErrorSummary } from '../envelope/envelope.js';
import type { HeldMessage } from '../transport/admin-types.js';
import { redact } from './redact.js';
import type { DeadLetterView } from './types.js';

/** Poison bodies are evidence, but a page or a terminal does not need a megabyte of it. */
const MAX_RAW_BODY_CHARS = 64 * 1024;

/**
 * Reads a dead letter as received from a DLQ, whatever it is: wharf's own dead letter (envelope + story), a
 * plain envelope moved by the queue's redrive policy (a crash), or poison input (raw body, reason in attributes).
 */
export function toDeadLetterView(
  queue: string,
  message: HeldMessage,
  redactPaths: (jobName: string) => readonly string[],
): DeadLetterView {
  const decoded = decodeEnvelope(message.body);
  const base = { queue, messageId: message.messageId, attributes: { ...message.attributes } };
  if (!decoded.ok) return poisonView(base, message, decoded.message);
  const envelope = decoded.envelope;
  const story = envelope.deadLetter;
  const common = {
    ...base,
    jobId: envelope.id,
    jobName: envelope.job,
    createdAtMs: envelope.createdAtMs,
    failures: Array.isArray(envelope.failures) ? envelope.failures : [],
    payload: redact(envelope.payload, redactPaths(envelope.job)),
  };
  if (!story) return maxReceivesView(common, envelope, message);
  return {
    ...common,
    kind: 'dead-letter',
    reason: story.reason,
    error: story.error,
    attempts: story.attempts,
    firstFailedAtMs: story.firstFailedAtMs,
    failedAtMs: story.lastFailedAtMs,
  };
}

/**
 * SQS moved the message, not wharf: every receive ended without an outcome wharf could write. The message alone
 * cannot say which of the ways that happens it was, so the explanation lists them rather than guess one ("a
 * crash"); the job's record (`wharf jobs show`) tells more where the job keeps state.
 */
function maxReceivesView(
  common: Omit<DeadLetterView, 'kind' | 'reason' | 'failedAtMs'>,
  envelope: Envelope,
  message: HeldMessage,
): DeadLetterView {
  const error: ErrorSummary = {
    name: 'MaxReceivesExceeded',
    message:
      `SQS moved attempt ${envelope.attempt} here after the queue's maxReceiveCount receives; no worker recorded ` +
      'an outcome for it. Each receive ended in one of: a run that crashed or timed out; a retry, deferral or ' +
      'dead letter that could not be sent; a job store that could not be reached; or a delivery that never ran ' +
      'the job (throttled, or too near the invocation deadline). Or EventBridge Scheduler gave up delivering it ' +
      "(its dead letters land in this DLQ too, with Scheduler's own error attributes). Retrying it is safe: it runs " +
      'as a fresh delivery',
  };
  const first = common.failures[0];
  return {
    ...common,
    kind: 'max-receives',
    reason: 'max-receives',
    error,
    attempts: envelope.attempt,
    ...(first ? { firstFailedAtMs: first.atMs } : {}),
    failedAtMs: message.sentAtMs,
  };
}

function poisonView(
  base: Pick<DeadLetterView, 'queue' | 'messageId' | 'attributes'>,
  message: HeldMessage,
  decodeProblem: string,
): DeadLetterView {
  const attrs = message.attributes;
  const failedAt = Date.parse(attrs[ATTR.failedAt] ?? '');
  const jobId = attrs[ATTR.jobId];
  const jobName = attrs[ATTR.job];
  return {
    ...base,
    kind: 'poison',
    ...(jobId ? { jobId } : {}),
    ...(jobName ? { jobName } : {}),
    reason: attrs[ATTR.reason] ?? 'malformed-body',
    error: { name: 'EnvelopeError', code: 'WHARF_BAD_ENVELOPE', message: attrs[ATTR.error] ?? decodeProblem },
    failedAtMs: Number.isFinite(failedAt) ? failedAt : message.sentAtMs,
    failures: [],
    rawBody:
      message.body.length > MAX_RAW_BODY_CHARS
        ? `${message.body.slice(0, MAX_RAW_BODY_CHARS)}… (${message.body.length} characters in all)`
        : message.body,
  };
}

/** True when `ref` names this dead letter: its message id, or the id of the job it carries. */
export function matchesRef(view: DeadLetterView, ref: string): boolean {
  return view.messageId === ref || (view.jobId !== undefined && view.jobId === ref);
}
