import { ATTR, type DeadLetterInfo, type Envelope, type ErrorSummary } from '../envelope/envelope.js';
import { serializeWithinLimit } from '../envelope/fit.js';
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
  };
}

/**
 * Input that is not a usable envelope keeps its raw body unchanged (the evidence), and the reason travels in the
 * attributes.
 */
export function deadLetterFromRaw(
  rawBody: string,
  info: DeadLetterInfo,
  known: { readonly job?: string; readonly id?: string },
): OutgoingMessage {
  return { body: rawBody, attributes: deadLetterAttributes(known.job, known.id, info), delaySeconds: 0 };
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
  if (job) attributes[ATTR.job] = clean(job, 256);
  if (id) attributes[ATTR.jobId] = clean(id, 512);
  return attributes;
}

function oneLine(error: ErrorSummary): string {
  const code = error.code ? ` [${error.code}]` : '';
  return clean(`${error.name}${code}: ${error.message}`, 1000);
}

/** SQS accepts only some Unicode in attribute values; keep them printable and short. */
function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/g, ' ').slice(0, max);
}
