import fc from 'fast-check';
import type { DecodeResult } from '../../src/envelope/decode';
import {
  type DeadLetterInfo,
  type DeadLetterReason,
  ENVELOPE_VERSION,
  type Envelope,
  type ErrorSummary,
  type FailureRecord,
  type Firing,
} from '../../src/envelope/envelope';

/**
 * Arbitraries and checks shared by the decoder's property tests (issue 12): envelopes of every valid shape, text
 * with the characters that trip encoders, and the documented shape of what decoding returns.
 */

export const NOW = Date.UTC(2026, 10, 25, 12);

export const DEAD_LETTER_REASONS = [
  'retries-exhausted',
  'permanent-error',
  'invalid-payload',
  'malformed-body',
  'unsupported-version',
  'hostile-input',
  'oversize',
  'unknown-job',
  'job-id-reused',
] as const satisfies readonly DeadLetterReason[];

// A reason code added to DeadLetterReason and not to the list above fails to compile here.
type UnlistedReason = Exclude<DeadLetterReason, (typeof DEAD_LETTER_REASONS)[number]>;
const everyReasonListed: [UnlistedReason] extends [never] ? true : false = true;
void everyReasonListed;

export function isDeadLetterReason(value: unknown): value is DeadLetterReason {
  return (DEAD_LETTER_REASONS as readonly unknown[]).includes(value);
}

const char = (min: number, max: number) => fc.integer({ min, max }).map((c) => String.fromCharCode(c));

/**
 * One UTF-16 code unit of the kinds that break encoders: C0 and C1 controls, DEL, lone surrogates (one half of a
 * pair, which may meet its other half by chance), the noncharacters U+FFFE and U+FFFF that SQS refuses, and a few
 * that only look harmless (line and paragraph separators, a byte-order mark, quote, backslash).
 */
export const awkwardChar = fc.oneof(
  char(0x00, 0x1f),
  char(0x7f, 0x9f),
  char(0xd800, 0xdfff),
  fc.constantFrom('\ufffe', '\uffff', '\u2028', '\u2029', '\ufeff', '"', '\\', '\u0000'),
);

/** Text of every kind: printable ASCII, any code point, whole graphemes, and the awkward units above. */
export function anyText(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  const unit = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    awkwardChar,
  );
  return fc.string({ unit, ...constraints });
}

/**
 * JSON as a producer that SQS accepts writes it: JSON.stringify escapes control characters and lone surrogates but
 * leaves U+FFFE and U+FFFF as they are, which SQS refuses; those are escaped too (as Python's json.dumps does by
 * default). They can only occur inside strings, where an escape means the same character.
 */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Text that is only printable ASCII: what job names and ids usually are. */
const plainText = (minLength: number, maxLength: number) =>
  fc.string({ unit: 'grapheme-ascii', minLength, maxLength });

/** A string the decoder accepts as a job name (1-256 UTF-16 units) or id (1-512), of any characters. */
export const anyJobName = anyText({ minLength: 1, maxLength: 40 }).filter((s) => s.length <= 256);
export const anyJobId = anyText({ minLength: 1, maxLength: 60 }).filter((s) => s.length <= 512);

/**
 * Whether a JSON value carries a key the decoder refuses as prototype pollution: `__proto__`, or `constructor`
 * holding an object with `prototype`. fast-check generates both on purpose, among its "dangerous strings".
 */
export function carriesPrototypeKeys(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(carriesPrototypeKeys);
  for (const key of Object.keys(value)) {
    const inner = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return true;
    if (key === 'constructor' && typeof inner === 'object' && inner !== null && 'prototype' in inner)
      return true;
    if (carriesPrototypeKeys(inner)) return true;
  }
  return false;
}

/** Any JSON value the decoder takes as data: with text of every kind, and no prototype keys. */
export const anyPayload = fc
  .oneof(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }))
  .filter((value) => !carriesPrototypeKeys(value));

const epochMs = fc.oneof(fc.constant(NOW), fc.integer({ min: 0, max: 2 * NOW }), fc.maxSafeNat());
const count = fc.oneof(fc.nat({ max: 10 }), fc.maxSafeNat());
const positiveCount = fc.oneof(
  fc.integer({ min: 1, max: 10 }),
  fc.maxSafeNat().map((n) => Math.max(1, n)),
);

const errorSummary: fc.Arbitrary<ErrorSummary> = fc.record(
  {
    name: anyText({ maxLength: 20 }),
    message: anyText({ maxLength: 80 }),
    code: anyText({ maxLength: 20 }),
    stack: anyText({ maxLength: 120 }),
    cause: fc.record(
      { name: anyText({ maxLength: 20 }), message: anyText({ maxLength: 40 }), code: plainText(0, 10) },
      { requiredKeys: ['name', 'message'] },
    ),
  },
  { requiredKeys: ['name', 'message'] },
);

const failureRecord: fc.Arbitrary<FailureRecord> = fc.record({
  attempt: positiveCount,
  atMs: epochMs,
  error: errorSummary,
});

const deadLetterInfo: fc.Arbitrary<DeadLetterInfo> = fc.record({
  reason: fc.constantFrom(...DEAD_LETTER_REASONS),
  queue: fc.constantFrom('default', 'emails'),
  attempts: count,
  firstFailedAtMs: epochMs,
  lastFailedAtMs: epochMs,
  error: errorSummary,
});

const isoTime = fc
  .date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
  .map((d) => d.toISOString());

const firing: fc.Arbitrary<Firing> = fc.record(
  { task: anyText({ minLength: 1, maxLength: 20 }), at: isoTime, manual: fc.boolean() },
  { requiredKeys: ['task', 'at'] },
);

export interface EnvelopeParts {
  readonly job?: fc.Arbitrary<string>;
  readonly id?: fc.Arbitrary<string>;
  readonly payload?: fc.Arbitrary<unknown>;
}

/** Every envelope the format allows, optional fields present or not; createdAtMs and enqueuedAtMs always set. */
export function validEnvelope(parts: EnvelopeParts = {}): fc.Arbitrary<Envelope> {
  return fc.record(
    {
      v: fc.constant(ENVELOPE_VERSION),
      id: parts.id ?? fc.oneof(fc.uuid(), anyJobId),
      job: parts.job ?? fc.oneof(fc.constantFrom('sendEmail', 'charge-card'), anyJobName),
      payload: parts.payload ?? anyPayload,
      attempt: positiveCount,
      createdAtMs: epochMs,
      enqueuedAtMs: epochMs,
      runAtMs: epochMs,
      deferrals: count,
      failures: fc.array(failureRecord, { maxLength: 5 }),
      redrives: count,
      deadLetter: deadLetterInfo,
      firing,
    },
    { requiredKeys: ['v', 'id', 'job', 'payload', 'attempt', 'createdAtMs', 'enqueuedAtMs'] },
  );
}

/** The fields of an envelope, required and optional. */
export const ENVELOPE_FIELDS = [
  'v',
  'id',
  'job',
  'payload',
  'attempt',
  'createdAtMs',
  'enqueuedAtMs',
  'runAtMs',
  'deferrals',
  'failures',
  'redrives',
  'deadLetter',
  'firing',
] as const satisfies readonly (keyof Envelope)[];

// -- the documented shape ------------------------------------------------------------------------------------

const isCount = (value: unknown, min: number) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
const isText = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.length >= min && value.length <= max;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function errorSummaryProblems(where: string, value: unknown): string[] {
  if (!isObject(value)) return [`${where} is not an object`];
  const problems: string[] = [];
  if (typeof value.name !== 'string') problems.push(`${where}.name is not a string`);
  if (typeof value.message !== 'string') problems.push(`${where}.message is not a string`);
  for (const key of ['code', 'stack'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string')
      problems.push(`${where}.${key} is not a string`);
  }
  if (value.cause !== undefined) {
    const cause = value.cause;
    if (!isObject(cause) || typeof cause.name !== 'string' || typeof cause.message !== 'string')
      problems.push(`${where}.cause is not { name, message }`);
  }
  return problems;
}

/**
 * What does not match the Envelope interface (envelope.ts), nested fields included: an envelope that decodes ok is
 * typed Envelope from then on, and every later step (retry, dead letter, ops views) trusts that type.
 */
export function envelopeShapeProblems(envelope: unknown): string[] {
  if (!isObject(envelope)) return ['not an object'];
  const e = envelope;
  const problems: string[] = [];
  if (Object.getPrototypeOf(e) !== Object.prototype) problems.push('prototype is not Object.prototype');
  if (e.v !== ENVELOPE_VERSION) problems.push('v is not the version');
  if (!isText(e.id, 1, 512)) problems.push('id is not 1-512 characters');
  if (!isText(e.job, 1, 256)) problems.push('job is not 1-256 characters');
  if (!Object.hasOwn(e, 'payload')) problems.push('payload is missing');
  if (!isCount(e.attempt, 1)) problems.push('attempt is not a positive integer');
  for (const key of ['createdAtMs', 'enqueuedAtMs'] as const) {
    if (!isCount(e[key], 0)) problems.push(`${key} is not epoch ms`);
  }
  for (const key of ['runAtMs', 'deferrals', 'redrives'] as const) {
    if (e[key] !== undefined && !isCount(e[key], 0)) problems.push(`${key} is not a count`);
  }
  if (e.failures !== undefined) {
    if (!Array.isArray(e.failures)) problems.push('failures is not a list');
    else
      e.failures.forEach((f: unknown, i) => {
        if (!isObject(f) || typeof f.attempt !== 'number' || typeof f.atMs !== 'number')
          problems.push(`failures[${i}] is not { attempt, atMs, error }`);
        else problems.push(...errorSummaryProblems(`failures[${i}].error`, f.error));
      });
  }
  if (e.deadLetter !== undefined) problems.push(...deadLetterProblems(e.deadLetter));
  if (e.firing !== undefined) {
    const f = e.firing;
    if (!isObject(f) || !isText(f.task, 1, Number.POSITIVE_INFINITY) || typeof f.at !== 'string')
      problems.push('firing is not { task, at }');
    else if (f.manual !== undefined && typeof f.manual !== 'boolean')
      problems.push('firing.manual is not a boolean');
  }
  return problems;
}

function deadLetterProblems(value: unknown): string[] {
  if (!isObject(value)) return ['deadLetter is not an object'];
  const problems: string[] = [];
  if (!isDeadLetterReason(value.reason)) problems.push('deadLetter.reason is not a reason code');
  if (typeof value.queue !== 'string') problems.push('deadLetter.queue is not a string');
  for (const key of ['attempts', 'firstFailedAtMs', 'lastFailedAtMs'] as const) {
    if (typeof value[key] !== 'number') problems.push(`deadLetter.${key} is not a number`);
  }
  return [...problems, ...errorSummaryProblems('deadLetter.error', value.error)];
}

/**
 * What is wrong with a decode result: it must be ok with an envelope of the documented shape, or a failure with
 * one of the reason codes and a message; the job name and id a failure keeps are strings of bounded length.
 */
export function decodeResultProblems(result: DecodeResult): string[] {
  if (!isObject(result)) return ['result is not an object'];
  if (result.ok === true) return envelopeShapeProblems(result.envelope).map((p) => `envelope: ${p}`);
  if (result.ok !== false) return ['result.ok is not a boolean'];
  const problems: string[] = [];
  if (!isDeadLetterReason(result.reason))
    problems.push(`reason ${String(result.reason)} is not a reason code`);
  if (typeof result.message !== 'string' || result.message.trim().length === 0)
    problems.push('message is empty');
  if (result.job !== undefined && !isText(result.job, 0, 256)) problems.push('job is not a short string');
  if (result.id !== undefined && !isText(result.id, 0, 512)) problems.push('id is not a short string');
  return problems;
}

const OBJECT_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join();
const ARRAY_KEYS = Object.getOwnPropertyNames(Array.prototype).sort().join();

/** True while no prototype has been written to: nothing hostile input did leaked out of the decoder. */
export function prototypesUntouched(): boolean {
  return (
    ({} as Record<string, unknown>).polluted === undefined &&
    ([] as unknown as Record<string, unknown>).polluted === undefined &&
    Object.getOwnPropertyNames(Object.prototype).sort().join() === OBJECT_KEYS &&
    Object.getOwnPropertyNames(Array.prototype).sort().join() === ARRAY_KEYS
  );
}
