import type { BatchResultErrorEntry } from './sqs-api.js';

/** What one entry of a SQS batch call came to, read from the response entry by entry (invariant 1). */
export type EntryResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly retryable: boolean;
      readonly permanent: boolean;
    };

// Entry codes that mean "try again later" even when SQS marks them as the sender's fault.
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestThrottled',
  'KMS.ThrottlingException',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
]);

/**
 * Matches a batch response to the entries sent, by entry id. An entry in neither list counts as failed and
 * retryable: a response that forgets an entry must never turn into a silent success.
 */
export function entryResults<S extends { Id: string | undefined }, T>(
  ids: readonly string[],
  successful: readonly S[] | undefined,
  failed: readonly BatchResultErrorEntry[] | undefined,
  successValue: (entry: S) => T,
): EntryResult<T>[] {
  const succeeded = new Map((successful ?? []).map((entry) => [entry.Id, entry]));
  const failures = new Map((failed ?? []).map((entry) => [entry.Id, entry]));
  return ids.map((id): EntryResult<T> => {
    const failure = failures.get(id);
    if (failure) return failedEntry(failure);
    const success = succeeded.get(id);
    if (success) return { ok: true, value: successValue(success) };
    return {
      ok: false,
      code: 'unaccounted',
      message: 'SQS listed this entry neither as successful nor as failed',
      retryable: true,
      permanent: false,
    };
  });
}

function failedEntry(entry: BatchResultErrorEntry): EntryResult<never> {
  const code = entry.Code ?? 'UnknownError';
  // SenderFault missing is treated as the service's fault: retrying is the side that cannot lose a message.
  const retryable = entry.SenderFault !== true || THROTTLING_CODES.has(code);
  return { ok: false, code, message: entry.Message ?? code, retryable, permanent: !retryable };
}

/** The same result for every entry of a request that failed as a whole. */
export function requestFailed(count: number, error: unknown): EntryResult<never>[] {
  const result: EntryResult<never> = {
    ok: false,
    code: 'request_failed',
    message: describeError(error),
    retryable: isRetryableRequestError(error),
    // Not the entry's fault: the same entry may well go through once the queue or the network is back.
    permanent: false,
  };
  return Array.from({ length: count }, () => result);
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean };
}

/**
 * Network errors and server faults are worth another try once the SDK's own retries are spent; a client fault
 * (missing queue, access denied, malformed request) will fail the same way again, unless it is throttling.
 */
export function isRetryableRequestError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true;
  const shape = error as SdkErrorShape;
  if (shape.$fault !== 'client') return true;
  return shape.$retryable?.throttling === true || THROTTLING_CODES.has(String(shape.name));
}

export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const shape = error as SdkErrorShape;
    return `${String(shape.name ?? 'Error')}: ${String(shape.message ?? '')}`;
  }
  return String(error);
}
