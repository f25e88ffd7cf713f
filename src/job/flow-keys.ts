import { errorMessage } from '../errors.js';
import type { JobDefinition } from './define-job.js';

/** SQS's MessageGroupId: 1-128 characters of printable ASCII (a-z, A-Z, 0-9 and punctuation). */
export const MAX_GROUP_ID_CHARS = 128;
const GROUP_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function isGroupId(value: unknown): value is string {
  return typeof value === 'string' && GROUP_ID_PATTERN.test(value);
}

/** A limit's key is part of a DynamoDB key: bounded, so a payload cannot make an item key too long. */
export const MAX_LIMIT_KEY_CHARS = 256;

/**
 * Runs the job's flow-control key functions on the payload at enqueue, where a bad key is the caller's error to
 * see, not a dead letter later. Returns the message group (tenant or FIFO group) when the job has one.
 */
export function flowKeysAtEnqueue(
  job: JobDefinition,
  payload: unknown,
  problems: string[],
): { readonly group?: string } {
  const flow = job.options.flow;
  if (flow.concurrency?.key) limitKey(flow.concurrency.key, payload, 'concurrency.key', problems);
  if (flow.throttle?.key) limitKey(flow.throttle.key, payload, 'throttle.key', problems);
  const groupFn = flow.group ?? flow.tenant;
  if (!groupFn) return {};
  const field = flow.group ? 'group' : 'tenant';
  const returned = call(groupFn, payload, field, problems);
  if (returned === undefined) return {};
  const group = returned.value;
  if (!isGroupId(group)) {
    problems.push(
      `${field}: expected 1-${MAX_GROUP_ID_CHARS} printable ASCII characters (SQS's MessageGroupId), the function returned ${JSON.stringify(group)}`,
    );
    return {};
  }
  return { group };
}

/** The key a limit counts under, or a problem. Also used by the engine, where a problem dead-letters the job. */
export function limitKey(
  fn: (payload: unknown) => string,
  payload: unknown,
  field: string,
  problems: string[],
): string | undefined {
  const returned = call(fn, payload, field, problems);
  if (returned === undefined) return undefined;
  const key = returned.value;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_LIMIT_KEY_CHARS) {
    problems.push(
      `${field}: expected a string of 1-${MAX_LIMIT_KEY_CHARS} characters, the function returned ${JSON.stringify(key)}`,
    );
    return undefined;
  }
  return key;
}

function call(
  fn: (payload: unknown) => string,
  payload: unknown,
  field: string,
  problems: string[],
): { readonly value: unknown } | undefined {
  try {
    return { value: fn(payload) };
  } catch (error) {
    problems.push(`${field}: the function threw: ${errorMessage(error)}`);
    return undefined;
  }
}
