import { createHash } from 'node:crypto';
import { attributeText, MAX_JOB_ID_CHARS, MAX_JOB_NAME_CHARS } from '../envelope/attributes.js';
import { deduplicationIdOf } from '../envelope/deduplication.js';
import { ATTR, type DeadLetterInfo, type Envelope, type ErrorSummary } from '../envelope/envelope.js';
import { serializeWithinLimit } from '../envelope/fit.js';
import { checkOutgoingMessage } from '../transport/message-limits.js';
import type { OutgoingMessage } from '../transport/types.js';

/**
 * A dead letter is the job's envelope plus its story (invariant 5): readable as a body in the SQS console, with
 * the essentials repeated as attributes, and still a valid envelope, so redriving it to its source queue works.
 */
export function deadLetterFromEnvelope(envelope: Envelope, info: DeadLetterInfo): OutgoingMessage {
  const { runAtMs: _drop, ...rest } = envelope;
  const body: Envelope = { ...rest, deadLetter: info };
  return {
    body: serializeWithinLimit(body),
    attributes: deadLetterAttributes(envelope.job, envelope.id, info),
    delaySeconds: 0,
    ...(envelope.trace === undefined ? {} : { traceHeader: envelope.trace }),
    // A FIFO queue's dead-letter queue is FIFO too: the dead letter keeps its group, so a redrive goes back to it.
    ...(envelope.group === undefined
      ? {}
      : { groupId: envelope.group, deduplicationId: deduplicationIdOf(body, 'dead-letter') }),
  };
}

/**
 * Input that is not a usable envelope keeps its raw body unchanged (the evidence), and the reason travels in the
 * attributes. A body that cannot travel as it is (none at all, or too big to fit beside the reason) is replaced by
 * an account of it: its size, its SHA-256 and its head, so the dead letter is still written with its reason
 * rather than looping until SQS moves it without one.
 */
export function deadLetterFromRaw(
  rawBody: string,
  info: DeadLetterInfo,
  known: { readonly job?: string; readonly id?: string },
): OutgoingMessage {
  const attributes = deadLetterAttributes(known.job, known.id, info);
  const asIs = { body: rawBody, attributes, delaySeconds: 0 };
  return checkOutgoingMessage(asIs) === undefined ? asIs : { ...asIs, body: standInBody(rawBody) };
}

/** How much of a body that cannot be kept whole is kept: enough to recognize it, far from SQS's limit. */
export const RAW_HEAD_CHARS = 64 * 1024;

/** Marks a dead letter's body as wharf's account of a body it could not keep (see deadLetterFromRaw). */
export const STAND_IN_KEY = 'wharfRawBody';

function standInBody(rawBody: string): string {
  const head = [...rawBody.slice(0, RAW_HEAD_CHARS + 1)].slice(0, RAW_HEAD_CHARS).join('');
  return JSON.stringify({
    [STAND_IN_KEY]: {
      note:
        rawBody.length === 0 ? 'the record had no body' : 'the body was too large to keep beside its reason',
      bytes: Buffer.byteLength(rawBody, 'utf8'),
      sha256: createHash('sha256').update(rawBody, 'utf8').digest('hex'),
      head,
    },
  });
}

function deadLetterAttributes(
  job: string | undefined,
  id: string | undefined,
  info: DeadLetterInfo,
): Record<string, string> {
  const attributes: Record<string, string> = {
    [ATTR.reason]: info.reason,
    [ATTR.error]: oneLine(info.error),
    [ATTR.failedAt]: new Date(info.lastFailedAtMs).toISOString(),
    [ATTR.queue]: info.queue,
    [ATTR.attempt]: String(info.attempts),
  };
  if (job) attributes[ATTR.job] = attributeText(job, MAX_JOB_NAME_CHARS);
  if (id) attributes[ATTR.jobId] = attributeText(id, MAX_JOB_ID_CHARS);
  return attributes;
}

function oneLine(error: ErrorSummary): string {
  const code = error.code ? ` [${error.code}]` : '';
  // One line: a multi-line message (a payload's list of issues) reads better joined than with its breaks replaced.
  return attributeText(`${error.name}${code}: ${error.message}`.replace(/\s*[\r\n]+\s*/g, ' '), 1000);
}
