import { MAX_ENVELOPE_BYTES } from './decode.js';
import type { Envelope, ErrorSummary, FailureRecord } from './envelope.js';

/** What a message body may use once its attributes are counted; the decoder reads up to the same size. */
const BODY_LIMIT_BYTES = MAX_ENVELOPE_BYTES;

/**
 * Returns the envelope as JSON within SQS's limit, trimming the story if it must (stacks and causes first, then
 * older failures, then long messages). The payload and the newest failure are never dropped.
 */
export function serializeWithinLimit(envelope: Envelope): string {
  let body = sqsSafeJson(envelope);
  // A UTF-16 length times 3 bounds the UTF-8 size: the exact count is only needed for big messages.
  if (body.length * 3 <= BODY_LIMIT_BYTES || Buffer.byteLength(body, 'utf8') <= BODY_LIMIT_BYTES) return body;
  for (const trim of TRIMS) {
    envelope = trim(envelope);
    body = sqsSafeJson(envelope);
    if (Buffer.byteLength(body, 'utf8') <= BODY_LIMIT_BYTES) return body;
  }
  return body;
}

/**
 * JSON.stringify escapes control characters and lone surrogates, but writes U+FFFE and U+FFFF as they are, and
 * SQS refuses a body holding them. They can only appear inside JSON strings, where a \u escape means the same.
 */
const NONCHARACTER = /[\ufffe\uffff]/;
const NONCHARACTERS = /[\ufffe\uffff]/g;

function sqsSafeJson(envelope: Envelope): string {
  const json = JSON.stringify(envelope);
  return NONCHARACTER.test(json)
    ? json.replace(NONCHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    : json;
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
