import { InvalidOptionsError } from '../errors.js';
import type { OutgoingMessage, ReceiveOptions, SendOutcome } from './types.js';

/**
 * SQS's limits, shared by every transport so the memory adapter refuses what SQS would refuse: a job that
 * enqueues fine in tests must not start failing in production.
 */
export const SQS_LIMITS = {
  maxBatchEntries: 10,
  /**
   * Per message (body + attributes) and per batch request (the sum of its messages): 1 MiB since 2025. The one
   * place this fact is written: the envelope decoder, the client's size check and the CDK queues read it here.
   */
  maxMessageBytes: 1_048_576,
  maxBatchBytes: 1_048_576,
  maxAttributes: 10,
  maxDelaySeconds: 900,
  maxVisibilityTimeoutSeconds: 43_200,
  maxWaitTimeSeconds: 20,
  maxAttributeNameLength: 256,
} as const;

/** Stable codes of the send failures a transport decides itself (SQS's own codes pass through unchanged). */
export const SEND_FAILURE_CODES = {
  oversize: 'oversize',
  tooManyAttributes: 'too_many_attributes',
  invalidAttribute: 'invalid_attribute',
  invalidBody: 'invalid_body',
  invalidDelay: 'invalid_delay',
  /** A message for a FIFO queue without a group (MessageGroupId). */
  missingGroup: 'missing_group',
  /** A message for a FIFO queue with a delay, which FIFO queues do not have per message. */
  fifoDelay: 'fifo_delay',
  /** The request itself failed (network, 5xx) on every attempt. */
  requestFailed: 'request_failed',
  /** The response listed the entry neither as sent nor as failed. */
  unaccounted: 'unaccounted',
} as const;

export type SendFailure = Extract<SendOutcome, { ok: false }>;

const encoder = new TextEncoder();
// Characters SQS accepts in bodies and attribute values; anything else is rejected for the whole entry.
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTRIBUTE_DATA_TYPE = 'String';

/** A FIFO queue needs a group on every message and takes no delay: refused before SQS would, with why. */
export function fifoProblem(message: OutgoingMessage): SendFailure | undefined {
  if (message.groupId === undefined)
    return permanent(
      'missingGroup',
      'a FIFO queue needs a message group on every message: give the job `group: (payload) => ...` (its MessageGroupId)',
    );
  if (message.delaySeconds > 0)
    return permanent(
      'fifoDelay',
      `a FIFO queue has no per-message delay (DelaySeconds ${message.delaySeconds}): enqueue FIFO jobs to run now`,
    );
  return undefined;
}

/** Bytes SQS counts against the message size limit: the body plus each attribute's name, type and value. */
export function messageSizeBytes(message: OutgoingMessage): number {
  let size = encoder.encode(message.body).length;
  for (const [name, value] of Object.entries(message.attributes)) {
    size += encoder.encode(name).length + ATTRIBUTE_DATA_TYPE.length + encoder.encode(value).length;
  }
  return size;
}

/** The permanent failure SQS would report for this message, or undefined when it can be sent. */
export function checkOutgoingMessage(message: OutgoingMessage): SendFailure | undefined {
  const size = messageSizeBytes(message);
  if (size > SQS_LIMITS.maxMessageBytes) {
    return permanent(
      'oversize',
      `Message is ${size} bytes (body + attributes); SQS accepts at most ${SQS_LIMITS.maxMessageBytes}`,
    );
  }
  if (message.body.length === 0)
    return permanent('invalidBody', 'Message body is empty; SQS requires at least one character');
  if (INVALID_CHARACTER.test(message.body)) {
    return permanent(
      'invalidBody',
      'Message body contains characters SQS rejects (control characters or lone surrogates)',
    );
  }
  const { delaySeconds } = message;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_LIMITS.maxDelaySeconds) {
    return permanent(
      'invalidDelay',
      `delaySeconds must be a whole number from 0 to 900, received ${delaySeconds}`,
    );
  }
  return checkAttributes(message.attributes);
}

function checkAttributes(attributes: Readonly<Record<string, string>>): SendFailure | undefined {
  const names = Object.keys(attributes);
  if (names.length > SQS_LIMITS.maxAttributes) {
    return permanent('tooManyAttributes', `Message has ${names.length} attributes; SQS accepts at most 10`);
  }
  for (const name of names) {
    const problem = attributeNameProblem(name) ?? attributeValueProblem(attributes[name] ?? '');
    if (problem) return permanent('invalidAttribute', `Attribute "${name}": ${problem}`);
  }
  return undefined;
}

function attributeNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > SQS_LIMITS.maxAttributeNameLength)
    return 'name must be 1-256 characters';
  if (!ATTRIBUTE_NAME.test(name)) return 'name may contain only letters, digits, "_", "-" and "."';
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    return 'name may not start or end with "." nor contain ".."';
  }
  if (/^(aws|amazon)\./i.test(name)) return 'names starting with "AWS." or "Amazon." are reserved';
  return undefined;
}

function attributeValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'value is empty; SQS requires a non-empty String value';
  if (INVALID_CHARACTER.test(value)) return 'value contains characters SQS rejects';
  return undefined;
}

function permanent(code: keyof typeof SEND_FAILURE_CODES, message: string): SendFailure {
  return { ok: false, code: SEND_FAILURE_CODES[code], message, permanent: true };
}

/** Throws InvalidOptionsError listing every out-of-range receive option (SQS would reject the call). */
export function validateReceiveOptions(options: ReceiveOptions): void {
  const problems: string[] = [];
  const { maxMessages, waitTimeSeconds, visibilityTimeoutSeconds } = options;
  if (!inRange(maxMessages, 1, SQS_LIMITS.maxBatchEntries))
    problems.push(`maxMessages: 1-10, received ${maxMessages}`);
  if (!inRange(waitTimeSeconds, 0, SQS_LIMITS.maxWaitTimeSeconds)) {
    problems.push(`waitTimeSeconds: 0-20, received ${waitTimeSeconds}`);
  }
  const visibilityProblem = visibilityTimeoutProblem(visibilityTimeoutSeconds);
  if (visibilityProblem) problems.push(visibilityProblem);
  if (problems.length > 0) throw new InvalidOptionsError('receive options', problems);
}

/** Throws InvalidOptionsError when a visibility timeout is outside SQS's 0-43200 s. */
export function validateVisibilityTimeout(visibilityTimeoutSeconds: number): void {
  const problem = visibilityTimeoutProblem(visibilityTimeoutSeconds);
  if (problem) throw new InvalidOptionsError('visibility timeout', [problem]);
}

function visibilityTimeoutProblem(seconds: number): string | undefined {
  return inRange(seconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds)
    ? undefined
    : `visibilityTimeoutSeconds: a whole number from 0 to 43200 (12 h), received ${seconds}`;
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
