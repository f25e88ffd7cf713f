import { MAX_BODY_BYTES } from './decode.js';
import type { Envelope, ErrorSummary, FailureRecord } from './envelope.js';

/**
 * Of SQS's 1 MiB, this much is kept back at enqueue for what the engine adds later: the failures of retries and a
 * dead letter's story, and the attributes. So a job that was accepted can always be retried and dead-lettered.
 */
export const STORY_HEADROOM_BYTES = 16 * 1024;
/** What a message body may use once its attributes (at most a few KiB) are counted. */
const BODY_LIMIT_BYTES = MAX_BODY_BYTES - 4 * 1024;

/**
 * Returns the envelope as JSON within SQS's limit, trimming the story if it must (stacks and causes first, then
 * older failures, then long messages). The payload and the newest failure are never dropped.
 */
export function serializeWithinLimit(envelope: Envelope): string {
  let body = JSON.stringify(envelope);
  // A UTF-16 length times 3 bounds the UTF-8 size: the exact count is only needed for big messages.
  if (body.length * 3 <= BODY_LIMIT_BYTES || Buffer.byteLength(body, 'utf8') <= BODY_LIMIT_BYTES) return body;
  for (const trim of TRIMS) {
    envelope = trim(envelope);
    body = JSON.stringify(envelope);
    if (Buffer.byteLength(body, 'utf8') <= BODY_LIMIT_BYTES) return body;
  }
  return body;
}

const withoutStack = ({ stack: _stack, cause: _cause, ...rest }: ErrorSummary): ErrorSummary => rest;
const shortened = (error: ErrorSummary): ErrorSummary => ({
  ...withoutStack(error),
  message: error.message.slice(0, 200),
});
const mapFailures = (
  failures: Envelope['failures'],
  f: (e: ErrorSummary) => ErrorSummary,
): FailureRecord[] | undefined => failures?.map((failure) => ({ ...failure, error: f(failure.error) }));

const TRIMS: readonly ((e: Envelope) => Envelope)[] = [
  (e) => ({ ...e, failures: mapFailures(e.failures, withoutStack) }),
  (e) => ({ ...e, failures: e.failures?.slice(-1) }),
  (e) => ({
    ...e,
    failures: mapFailures(e.failures, shortened),
    ...(e.deadLetter ? { deadLetter: { ...e.deadLetter, error: shortened(e.deadLetter.error) } } : {}),
  }),
];
