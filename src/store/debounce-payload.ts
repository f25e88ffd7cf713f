import { InvalidPayloadError } from '../errors.js';

/**
 * The most JSON a debounced enqueue's payload may have. A burst keeps its latest payload in one job-table item,
 * and a DynamoDB item holds 400 KB (409,600 bytes) with its key and attributes; the rest of a burst item is at
 * most its key (2 KB) and a few numbers. SQS takes messages up to 1 MiB, so without this bound a payload between
 * the two would enqueue fine in tests and fail in production. Both adapters refuse past it alike.
 */
export const DEBOUNCE_PAYLOAD_MAX_BYTES = 400_000;

/**
 * The payload as a burst stores it (its JSON; undefined for no payload). Past the bound it throws, at the
 * enqueue, an InvalidPayloadError that says how big the payload was and what to do. `key` is `<job name>/<key>`.
 */
export function debouncePayloadJson(key: string, payload: unknown): string | undefined {
  const json = JSON.stringify(payload);
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= DEBOUNCE_PAYLOAD_MAX_BYTES) return json;
  const slash = key.indexOf('/');
  const jobName = slash > 0 ? key.slice(0, slash) : key;
  throw new InvalidPayloadError(jobName, [
    `the payload is ${bytes} bytes of JSON; a debounced job keeps its latest payload in the job table, which holds at most ${DEBOUNCE_PAYLOAD_MAX_BYTES}. Pass an id the job looks up instead of the data itself`,
  ]);
}
