import { errorMessage } from '../errors.js';
import { isGroupId, MAX_GROUP_ID_CHARS } from '../job/flow-keys.js';
import { SQS_LIMITS } from '../transport/message-limits.js';
import { MAX_JOB_ID_CHARS, MAX_JOB_NAME_CHARS } from './attributes.js';
import { type DeadLetterReason, ENVELOPE_VERSION, type Envelope } from './envelope.js';

/**
 * What a message's attributes may take of SQS's 1 MiB (body and attributes count together): a dead letter's, the
 * largest, stay under this whatever their text (attributeText caps each by characters, at most 3 bytes each).
 */
export const ATTRIBUTE_ROOM_BYTES = 8 * 1024;
/**
 * The largest body the engine reads or writes. Not SQS's own limit: a body that fills all of it (sent by another
 * producer) could not be dead-lettered with its reason beside it, and would loop until SQS moved it without one.
 */
export const MAX_ENVELOPE_BYTES = SQS_LIMITS.maxMessageBytes - ATTRIBUTE_ROOM_BYTES;
/**
 * Of SQS's 1 MiB, this much is kept back at enqueue for what the engine adds to a message later: the failures of
 * retries, a dead letter's story, and the attributes. So a job that was accepted can always be retried and
 * dead-lettered.
 */
export const STORY_HEADROOM_BYTES = 16 * 1024;
/** The largest body the client enqueues. */
export const MAX_ENQUEUE_BYTES = SQS_LIMITS.maxMessageBytes - STORY_HEADROOM_BYTES;
/** Nesting limit, applied before any recursive walk of untrusted input (invariant 4). */
export const MAX_DEPTH = 64;

export type DecodeResult =
  | { readonly ok: true; readonly envelope: Envelope }
  | {
      readonly ok: false;
      readonly reason: DeadLetterReason;
      readonly message: string;
      readonly job?: string;
      readonly id?: string;
    };

/**
 * Decodes a message body that may be anything: not JSON, another version, hostile JSON, oversize.
 * Never throws; a failure carries the dead-letter reason code and a readable message.
 */
export function decodeEnvelope(body: string): DecodeResult {
  // SQS refuses an empty body, so only a record that had none (another event source, a hand-made event) has one.
  if (body.length === 0) return fail('malformed-body', 'body is empty (the record carried no body)');
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most bodies are shown small enough without counting.
  if (body.length * 3 > MAX_ENVELOPE_BYTES && Buffer.byteLength(body, 'utf8') > MAX_ENVELOPE_BYTES) {
    return fail(
      'oversize',
      `body is ${Buffer.byteLength(body, 'utf8')} bytes; wharf reads at most ${MAX_ENVELOPE_BYTES} (SQS's ${SQS_LIMITS.maxMessageBytes} less ${ATTRIBUTE_ROOM_BYTES} kept for the dead letter's attributes)`,
    );
  }
  if (nestsDeeperThan(body, MAX_DEPTH))
    return fail('hostile-input', `JSON nesting deeper than ${MAX_DEPTH} levels`);
  let parsed: unknown;
  try {
    parsed = mayCarryPrototypeKeys(body) ? JSON.parse(body, rejectPrototypeKeys) : JSON.parse(body);
  } catch (error) {
    if (error instanceof HostileKeyError) return fail('hostile-input', error.message);
    return fail('malformed-body', `body is not JSON: ${errorMessage(error).slice(0, 200)}`);
  }
  return validateShape(parsed);
}

/**
 * What the worker would dead-letter as `hostile-input` in a payload's JSON, for the client to refuse at enqueue
 * instead: nesting past the envelope's limit (the envelope is one level more) and prototype keys.
 */
export function payloadHostility(payloadJson: string): string | undefined {
  const depth = MAX_DEPTH - 1;
  if (nestsDeeperThan(payloadJson, depth)) return `nesting deeper than ${depth} levels`;
  if (!mayCarryPrototypeKeys(payloadJson)) return undefined;
  try {
    JSON.parse(payloadJson, rejectPrototypeKeys);
    return undefined;
  } catch (error) {
    return error instanceof HostileKeyError
      ? error.message.replace(/^JSON carries/, 'it carries')
      : undefined;
  }
}

function nestsDeeperThan(text: string, depth: number): boolean {
  return mayNestDeeperThan(text, depth) && jsonDepth(text) > depth;
}

function validateShape(value: unknown): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('malformed-body', 'body is JSON but not an object');
  }
  const e = value as Record<string, unknown>;
  const job = typeof e.job === 'string' ? e.job.slice(0, MAX_JOB_NAME_CHARS) : undefined;
  const id = typeof e.id === 'string' ? e.id.slice(0, MAX_JOB_ID_CHARS) : undefined;
  if (e.v !== ENVELOPE_VERSION) {
    return {
      ok: false,
      reason: 'unsupported-version',
      message: `envelope version ${JSON.stringify(e.v)} is not supported (expected ${ENVELOPE_VERSION})`,
      job,
      id,
    };
  }
  const problems: string[] = [];
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > MAX_JOB_ID_CHARS)
    problems.push('id must be a non-empty string');
  if (typeof e.job !== 'string' || e.job.length === 0 || e.job.length > MAX_JOB_NAME_CHARS)
    problems.push('job must be a non-empty string');
  if (!('payload' in e)) problems.push('payload is missing');
  if (!isCount(e.attempt, 1)) problems.push('attempt must be a positive integer');
  const firing = readFiring(e.firing, problems);
  const fromFiring = firing && e.createdAtMs === undefined && e.enqueuedAtMs === undefined;
  if (!fromFiring && (!isCount(e.createdAtMs, 0) || !isCount(e.enqueuedAtMs, 0)))
    problems.push('createdAtMs and enqueuedAtMs must be epoch milliseconds');
  if (e.runAtMs !== undefined && !isCount(e.runAtMs, 0)) problems.push('runAtMs must be epoch milliseconds');
  if (e.deferrals !== undefined && !isCount(e.deferrals, 0)) problems.push('deferrals must be a count');
  if (e.redrives !== undefined && !isCount(e.redrives, 0)) problems.push('redrives must be a count');
  if (e.group !== undefined && !isGroupId(e.group))
    problems.push(`group must be 1-${MAX_GROUP_ID_CHARS} printable ASCII characters`);
  if (e.reservedStartMs !== undefined && !isCount(e.reservedStartMs, 0))
    problems.push('reservedStartMs must be epoch milliseconds');
  if (e.expiresAtMs !== undefined && !isCount(e.expiresAtMs, 0))
    problems.push('expiresAtMs must be epoch milliseconds');
  if (e.unique !== undefined && !isShortText(e.unique))
    problems.push('unique must be a key of 1-400 characters');
  if (e.batch !== undefined && !isShortText(e.batch))
    problems.push('batch must be an id of 1-400 characters');
  if (e.callbackOf !== undefined && !isShortText(e.callbackOf))
    problems.push('callbackOf must be a batch id of 1-400 characters');
  if (e.trace !== undefined && !isTraceHeader(e.trace))
    problems.push(
      `trace must be an X-Ray trace header of 1-${MAX_TRACE_HEADER_CHARS} printable ASCII characters`,
    );
  if (e.debounce !== undefined && !isDebounceMark(e.debounce))
    problems.push('debounce must be { key, token } of 1-400 characters each');
  if (e.failures !== undefined && !(Array.isArray(e.failures) && e.failures.every(isFailureRecord)))
    problems.push('failures must be a list of { attempt, atMs, error: { name, message } }');
  if (e.deadLetter !== undefined && !isDeadLetterInfo(e.deadLetter))
    problems.push('deadLetter must be { reason, queue, attempts, firstFailedAtMs, lastFailedAtMs, error }');
  if (problems.length > 0)
    return {
      ok: false,
      reason: 'malformed-body',
      message: `not a wharf envelope: ${problems.join('; ')}`,
      job,
      id,
    };
  if (fromFiring)
    return { ok: true, envelope: { ...e, createdAtMs: firing.atMs, enqueuedAtMs: firing.atMs } as Envelope };
  return { ok: true, envelope: value as Envelope };
}

function isShortText(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0 && value.length <= 400;
}

function isDebounceMark(value: unknown): boolean {
  const d = value as { key?: unknown; token?: unknown } | null;
  return typeof d === 'object' && d !== null && isShortText(d.key) && isShortText(d.token);
}

/** An X-Ray trace header is well under this (Root, Parent, Sampled, Lineage): a longer one is not a trace header. */
export const MAX_TRACE_HEADER_CHARS = 512;

export function isTraceHeader(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_TRACE_HEADER_CHARS &&
    /^[\x21-\x7e]+$/.test(value)
  );
}

/** The engine reads these when it retries, trims or redrives a message, so a wrong one must not get that far. */
function isFailureRecord(value: unknown): boolean {
  const f = value as { attempt?: unknown; atMs?: unknown; error?: unknown } | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    isCount(f.attempt, 0) &&
    isCount(f.atMs, 0) &&
    isErrorSummary(f.error)
  );
}

function isDeadLetterInfo(value: unknown): boolean {
  const d = value as Record<string, unknown> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    !Array.isArray(d) &&
    typeof d.reason === 'string' &&
    typeof d.queue === 'string' &&
    isCount(d.attempts, 0) &&
    isCount(d.firstFailedAtMs, 0) &&
    isCount(d.lastFailedAtMs, 0) &&
    isErrorSummary(d.error)
  );
}

function isErrorSummary(value: unknown): boolean {
  const e = value as { name?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && typeof e.name === 'string' && typeof e.message === 'string';
}

/** A recurring schedule's firing: `{ task, at }` with `at` an ISO time (see Envelope.firing). */
function readFiring(value: unknown, problems: string[]): { atMs: number } | undefined {
  if (value === undefined) return undefined;
  const f = value as { task?: unknown; at?: unknown } | null;
  const atMs = typeof f?.at === 'string' ? Date.parse(f.at) : Number.NaN;
  const manual = (f as { manual?: unknown } | null)?.manual;
  if (
    typeof f?.task !== 'string' ||
    f.task.length === 0 ||
    !Number.isSafeInteger(atMs) ||
    atMs < 0 ||
    (manual !== undefined && typeof manual !== 'boolean')
  ) {
    problems.push('firing must be { task, at, manual? } with at an ISO 8601 time');
    return undefined;
  }
  return { atMs };
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

class HostileKeyError extends Error {}

/**
 * Whether a key of this JSON text could decode to `__proto__` or `constructor`: only if the text spells it out, or
 * escapes characters with \uXXXX (the one JSON escape that can write a letter or `_`). Bodies that cannot skip the
 * reviver, which makes JSON.parse about eight times slower: most of the engine's own time for a short job.
 */
function mayCarryPrototypeKeys(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

function rejectPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  if (key === '__proto__') throw new HostileKeyError('JSON carries a "__proto__" key (prototype pollution)');
  if (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value) {
    throw new HostileKeyError('JSON carries "constructor.prototype" (prototype pollution)');
  }
  return value;
}

/**
 * Whether the text holds more than `depth` opening brackets: if not, it cannot nest deeper than that. Counted with
 * native `indexOf` and stopped once past `depth`, so a usual body (a handful of brackets) is cleared without the
 * character-by-character scan below, which cost about a tenth of a no-op job's run. Brackets inside strings count
 * too: that only sends a body to the exact scan.
 */
function mayNestDeeperThan(text: string, depth: number): boolean {
  let openers = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) {
      if (++openers > depth) return true;
    }
  }
  return false;
}

/** Maximum nesting of objects and arrays, found by one linear scan that skips string contents. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function fail(reason: DeadLetterReason, message: string): DecodeResult {
  return { ok: false, reason, message };
}

/** The job name a message body names, without decoding the rest ('' when it names none): for listings and filters. */
export function jobNameOfBody(body: string): string {
  try {
    const job = (JSON.parse(body) as { job?: unknown }).job;
    return typeof job === 'string' ? job : '';
  } catch {
    return '';
  }
}
