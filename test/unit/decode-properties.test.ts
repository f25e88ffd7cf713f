import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadLetterFromEnvelope, deadLetterFromRaw } from '../../src/engine/dead-letter';
import {
  type DecodeResult,
  decodeEnvelope,
  MAX_DEPTH,
  MAX_ENVELOPE_BYTES,
  payloadHostility,
} from '../../src/envelope/decode';
import {
  type DeadLetterInfo,
  ENVELOPE_VERSION,
  type Envelope,
  type ErrorSummary,
} from '../../src/envelope/envelope';
import { toOutgoing } from '../../src/envelope/outgoing';
import { checkOutgoingMessage, SQS_LIMITS } from '../../src/transport/message-limits';
import type { OutgoingMessage } from '../../src/transport/types';
import {
  anyJobId,
  anyJobName,
  anyPayload,
  anyText,
  awkwardChar,
  carriesPrototypeKeys,
  DEAD_LETTER_REASONS,
  decodeResultProblems,
  ENVELOPE_FIELDS,
  NOW,
  prototypesUntouched,
  sqsSafeJson,
  validEnvelope,
} from '../helpers/decode-arbitraries';

// Property-based tests of decodeEnvelope (issue 12, invariant 4): whatever the body, the decoder returns, once and
// the same way every time, either an envelope of the documented shape or a dead-letter reason with a message.

const REQUIRED = new Set(['v', 'id', 'job', 'payload', 'attempt', 'createdAtMs', 'enqueuedAtMs']);

/** Decodes and checks everything that must hold of any input: no throw, a well-formed result, no pollution. */
function decodeChecked(body: string): DecodeResult {
  let result: DecodeResult | undefined;
  expect(() => {
    result = decodeEnvelope(body);
  }).not.toThrow();
  const decoded = result!;
  const problems = decodeResultProblems(decoded);
  expect(problems, `not well-formed: ${problems.join('; ')}`).toEqual([]);
  expect(prototypesUntouched()).toBe(true);
  return decoded;
}

const without = (envelope: Envelope, field: string): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...envelope };
  delete copy[field];
  return copy;
};

/** Why SQS would refuse this message (size, characters, attributes, delay); undefined when it would take it. */
const sendProblem = (message: OutgoingMessage) => checkOutgoingMessage(message)?.message;

/** What the engine puts in a dead letter's story (engine/outcomes.ts, engine/engine.ts). */
const deadLetterInfo = fc.record({
  reason: fc.constantFrom(...DEAD_LETTER_REASONS),
  error: fc.record(
    {
      name: anyText({ maxLength: 20 }),
      message: anyText({ maxLength: 200 }),
      code: anyText({ maxLength: 20 }),
    },
    { requiredKeys: ['name', 'message'] },
  ),
});
const infoFor = (envelope: Envelope, story: { reason: DeadLetterInfo['reason']; error: ErrorSummary }) => ({
  reason: story.reason,
  queue: 'default',
  attempts: envelope.attempt,
  firstFailedAtMs: NOW,
  lastFailedAtMs: NOW,
  error: story.error,
});

/** A value fast-check shows by this text in a counterexample: a body near 1 MiB in full would bury the report. */
function shownAs<T extends object>(value: T, text: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

/** Nesting of objects and arrays in a JS value: 0 for a scalar. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const inner = Array.isArray(value) ? value : Object.values(value);
  return 1 + inner.reduce<number>((max, v) => Math.max(max, depthOf(v)), 0);
}

/**
 * A valid envelope whose body is within a few bytes of 1 MiB, either side, its payload one string of 1- to
 * 4-byte characters: counted in UTF-8, a body of fewer UTF-16 units can be more bytes. Its other fields are plain,
 * so that size is the only thing that can go wrong with it.
 */
const nearLimitBody = fc
  .record({
    delta: fc.integer({ min: -64, max: 8 }),
    fill: fc.constantFrom('x', 'é', '✓', '😀'),
    envelope: fc.record({
      v: fc.constant(ENVELOPE_VERSION),
      id: fc.uuid(),
      job: fc.constantFrom('sendEmail', 'charge-card'),
      payload: fc.constant(''),
      attempt: fc.integer({ min: 1, max: 5 }),
      createdAtMs: fc.constant(NOW),
      enqueuedAtMs: fc.constant(NOW),
    }),
  })
  .map(({ delta, fill, envelope }) => {
    const bytes = MAX_ENVELOPE_BYTES + delta;
    const room = bytes - Buffer.byteLength(JSON.stringify(envelope), 'utf8');
    const size = Buffer.byteLength(fill, 'utf8');
    const payload = fill.repeat(Math.floor(room / size)) + 'x'.repeat(room % size);
    const body = JSON.stringify({ ...envelope, payload });
    return shownAs(
      { body, bytes },
      `an envelope of ${bytes} bytes (1 MiB ${delta < 0 ? '' : '+'}${delta}), its payload "${fill}" repeated: ${body.slice(0, 160)}...`,
    );
  });

describe('decodeEnvelope, for any input', () => {
  it('never throws and gives a well-formed result, the same each time, for arbitrary strings', () => {
    const strings = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary-ascii' }),
      anyText(),
    );
    fc.assert(
      fc.property(strings, (body) => {
        expect(decodeChecked(body)).toEqual(decodeChecked(body));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for arbitrary JSON text, and classifies a non-object as malformed-body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.json({ stringUnit: 'binary' })), (body) => {
        const result = decodeChecked(body);
        expect(decodeEnvelope(body)).toEqual(result);
        const value: unknown = JSON.parse(body);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          expect(result).toMatchObject({ ok: false, reason: 'malformed-body' });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('classifies arbitrary JSON values: hostile keys as hostile-input, objects of another version as unsupported', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decodeChecked(JSON.stringify(value));
        if (carriesPrototypeKeys(value)) expect(result).toMatchObject({ ok: false, reason: 'hostile-input' });
        else if (typeof value !== 'object' || value === null || Array.isArray(value))
          expect(result).toMatchObject({ ok: false, reason: 'malformed-body' });
        else if ((value as Record<string, unknown>).v !== 1)
          expect(result).toMatchObject({ ok: false, reason: 'unsupported-version' });
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeEnvelope, for valid envelopes', () => {
  it('round-trips any valid envelope: JSON.stringify, decode, the same object', () => {
    fc.assert(
      fc.property(validEnvelope(), (envelope) => {
        const body = JSON.stringify(envelope);
        const result = decodeChecked(body);
        expect(result.ok).toBe(true);
        if (result.ok) expect(JSON.stringify(result.envelope)).toBe(body);
        expect(result).toEqual({ ok: true, envelope: JSON.parse(body) });
      }),
      { numRuns: 300 },
    );
  });

  it('keeps job names and ids with control characters and lone surrogates exactly as sent', () => {
    const awkward = anyText({ minLength: 1, maxLength: 30 }).filter((s) => s.length <= 255);
    const withAwkward = fc
      .tuple(awkward, awkward, awkwardChar)
      .map(([job, id, c]) => ({ job: `${job}${c}`, id: `${c}${id}` }));
    fc.assert(
      fc.property(withAwkward, validEnvelope(), ({ job, id }, base) => {
        const envelope = { ...base, job, id };
        const result = decodeChecked(JSON.stringify(envelope));
        expect(result).toMatchObject({ ok: true, envelope: { job, id } });
      }),
      { numRuns: 200 },
    );
  });

  it('fills createdAtMs and enqueuedAtMs of a recurring firing from its scheduled time', () => {
    fc.assert(
      fc.property(validEnvelope(), fc.date({ min: new Date(0), noInvalidDate: true }), (base, at) => {
        const { createdAtMs: _c, enqueuedAtMs: _e, ...rest } = base;
        const firing = { task: 'nightly', at: at.toISOString() };
        const result = decodeChecked(JSON.stringify({ ...rest, firing }));
        expect(result).toMatchObject({
          ok: true,
          envelope: { createdAtMs: at.getTime(), enqueuedAtMs: at.getTime(), firing },
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('decodeEnvelope, for mutations of a valid envelope', () => {
  it('refuses an envelope without a required field, and accepts one without an optional field', () => {
    fc.assert(
      fc.property(validEnvelope(), fc.constantFrom(...ENVELOPE_FIELDS), (envelope, field) => {
        const mutated = without(envelope, field);
        const result = decodeChecked(JSON.stringify(mutated));
        if (field === 'v') expect(result).toMatchObject({ ok: false, reason: 'unsupported-version' });
        else if (REQUIRED.has(field)) expect(result).toMatchObject({ ok: false, reason: 'malformed-body' });
        else expect(result).toEqual({ ok: true, envelope: JSON.parse(JSON.stringify(mutated)) });
      }),
      { numRuns: 300 },
    );
  });

  it('gives a well-formed result when any field is replaced by any JSON value', () => {
    fc.assert(
      fc.property(
        validEnvelope(),
        fc.constantFrom(...ENVELOPE_FIELDS),
        fc.jsonValue({ maxDepth: 3 }),
        (envelope, field, value) => {
          const result = decodeChecked(JSON.stringify({ ...envelope, [field]: value }));
          // A value that carries a prototype key is refused as hostile before its version is read.
          const hostile = payloadHostility(JSON.stringify(value)) !== undefined;
          if (field === 'v' && value !== 1)
            expect(result).toMatchObject({
              ok: false,
              reason: hostile ? 'hostile-input' : 'unsupported-version',
            });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses "__proto__" and "constructor.prototype" keys at any depth, however spelled, as hostile-input', () => {
    const escapeSome = (key: string, picks: readonly boolean[]) =>
      [...key]
        .map((c, i) => (picks[i % picks.length] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
        .join('');
    const hostile = fc
      .record({
        kind: fc.constantFrom('__proto__', 'constructor'),
        escapes: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        wrappers: fc.array(fc.constantFrom('object', 'array'), { maxLength: 40 }),
        atTop: fc.boolean(),
        sibling: anyPayload,
      })
      .map(({ kind, escapes, wrappers, atTop, sibling }) => {
        const key = `"${escapeSome(kind, escapes)}"`;
        const value =
          kind === '__proto__' ? '{"polluted":true}' : `{"${escapeSome('prototype', escapes)}":{}}`;
        const inner = `{"sibling":${JSON.stringify(sibling)},${key}:${value}}`;
        const wrapped = wrappers.reduce(
          (text, w) => (w === 'object' ? `{"a":${text}}` : `[1,${text}]`),
          inner,
        );
        return { wrapped, atTop, depth: wrappers.length };
      });
    fc.assert(
      fc.property(validEnvelope(), hostile, (envelope, { wrapped, atTop, depth }) => {
        const body = JSON.stringify(envelope);
        const text = atTop ? `{"x":${wrapped},${body.slice(1)}` : `${body.slice(0, -1)},"extra":${wrapped}}`;
        const result = decodeChecked(text);
        expect(result).toMatchObject({ ok: false, reason: 'hostile-input' });
        if (depth + 8 <= MAX_DEPTH && !result.ok) expect(result.message).toMatch(/__proto__|constructor/);
      }),
      { numRuns: 300 },
    );
  });

  it('takes a "constructor" key whose value has no prototype as data', () => {
    const harmless = fc.oneof(
      fc.jsonValue({ maxDepth: 0 }),
      fc.dictionary(
        fc.string().filter((k) => k !== 'prototype'),
        fc.jsonValue({ maxDepth: 0 }),
      ),
    );
    fc.assert(
      fc.property(validEnvelope(), harmless, (envelope, value) => {
        const payload = { constructor: value };
        fc.pre(!carriesPrototypeKeys(value));
        const result = decodeChecked(JSON.stringify({ ...envelope, payload }));
        expect(result).toMatchObject({
          ok: true,
          envelope: { payload: JSON.parse(JSON.stringify(payload)) },
        });
      }),
      { numRuns: 100 },
    );
  });

  it(`accepts nesting up to ${MAX_DEPTH} levels and refuses deeper as hostile-input, brackets in strings aside`, () => {
    const nesting = fc.record({
      wrappers: fc.array(fc.constantFrom('object', 'array'), { minLength: 1, maxLength: 150 }),
      decoy: fc.constantFrom('', '[[[[', '{{{{'.repeat(40), '"]]}}\\"[[{{'),
    });
    fc.assert(
      fc.property(validEnvelope(), nesting, (base, { wrappers, decoy }) => {
        const payload = wrappers.reduce<unknown>(
          (inner, w) => (w === 'object' ? { a: inner, decoy } : [decoy, inner]),
          0,
        );
        const envelope = { ...base, payload };
        const result = decodeChecked(JSON.stringify(envelope));
        if (depthOf(envelope) <= MAX_DEPTH) expect(result.ok).toBe(true);
        else expect(result).toMatchObject({ ok: false, reason: 'hostile-input' });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses extreme nesting (up to 150k levels) as hostile-input without a stack overflow', () => {
    fc.assert(
      fc.property(
        // Up to as deep as fits in 1 MiB: a bigger body is refused as oversize, before its nesting is looked at.
        fc.integer({ min: MAX_DEPTH, max: 150_000 }),
        fc.constantFrom('[', '{"a":'),
        (levels, open) => {
          const close = open === '[' ? ']' : '}';
          const body = `{"v":1,"id":"deep","job":"j","attempt":1,"createdAtMs":1,"enqueuedAtMs":1,"payload":${open.repeat(levels)}${open === '[' ? '' : '1'}${close.repeat(levels)}}`;
          expect(decodeChecked(body)).toMatchObject({ ok: false, reason: 'hostile-input' });
        },
      ),
      { numRuns: 10 },
    );
  });

  it('accepts a body of up to MAX_ENVELOPE_BYTES (1 MiB less the dead letter attribute room, in UTF-8 bytes) and refuses a larger one as oversize', () => {
    fc.assert(
      fc.property(nearLimitBody, ({ body, bytes }) => {
        const result = decodeChecked(body);
        expect(Buffer.byteLength(body, 'utf8')).toBe(bytes);
        if (bytes <= MAX_ENVELOPE_BYTES) expect(result.ok).toBe(true);
        else expect(result).toMatchObject({ ok: false, reason: 'oversize' });
      }),
      { numRuns: 12 },
    );
  });
});

describe('an envelope that decodes ok can be re-sent', () => {
  // Anything the engine accepted it must be able to send on: as a retry or deferral (toOutgoing) and as a dead
  // letter. Otherwise the message is released, comes back, and fails the same way until SQS's redrive policy
  // moves it away without its story.
  const awkwardEnvelope = validEnvelope({
    job: fc.oneof(fc.constant('sendEmail'), anyJobName),
    id: fc.oneof(fc.uuid(), anyJobId),
    payload: fc.oneof(anyPayload, anyText({ maxLength: 40 })),
  });

  it('as a retry: toOutgoing gives a message SQS accepts', () => {
    fc.assert(
      fc.property(awkwardEnvelope, (envelope) => {
        const body = sqsSafeJson(envelope);
        expect(sendProblem({ body, attributes: {}, delaySeconds: 0 })).toBeUndefined();
        const result = decodeEnvelope(body);
        if (!result.ok) return;
        expect(sendProblem(toOutgoing(result.envelope, NOW))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('as a dead letter: deadLetterFromEnvelope gives a message SQS accepts', () => {
    fc.assert(
      fc.property(awkwardEnvelope, deadLetterInfo, (envelope, story) => {
        const body = sqsSafeJson(envelope);
        expect(sendProblem({ body, attributes: {}, delaySeconds: 0 })).toBeUndefined();
        const result = decodeEnvelope(body);
        if (!result.ok) return;
        const message = deadLetterFromEnvelope(result.envelope, infoFor(result.envelope, story));
        expect(sendProblem(message)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('with U+FFFE or U+FFFF in a string (sent escaped, as \\ufffe), a retry and a dead letter SQS accepts', () => {
    // The one pair of characters that JSON.stringify writes as they are and SQS refuses in a body: a producer that
    // escapes them (Python's json.dumps does) sends a body SQS takes, and the engine re-sends it unescaped.
    const nonCharacter = fc.constantFrom('\ufffe', '\uffff');
    const where = fc.constantFrom('payload', 'failure', 'story');
    fc.assert(
      fc.property(
        validEnvelope({ job: fc.constant('sendEmail'), id: fc.uuid(), payload: fc.constant('') }),
        nonCharacter,
        where,
        (base, c, at) => {
          const text = `before ${c} after`;
          const failure = { attempt: 1, atMs: NOW, error: { name: 'Error', message: text } };
          const envelope = {
            ...base,
            payload: at === 'payload' ? { note: text } : {},
            failures: at === 'failure' ? [failure] : [],
          };
          const body = sqsSafeJson(envelope);
          expect(sendProblem({ body, attributes: {}, delaySeconds: 0 })).toBeUndefined();
          const result = decodeEnvelope(body);
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          const story = {
            reason: 'permanent-error' as const,
            error: { name: 'Error', message: at === 'story' ? text : 'failed' },
          };
          expect(sendProblem(toOutgoing(result.envelope, NOW))).toBeUndefined();
          expect(
            sendProblem(deadLetterFromEnvelope(result.envelope, infoFor(result.envelope, story))),
          ).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('near 1 MiB: a retry and a dead letter of an envelope that decoded ok still fit', () => {
    fc.assert(
      fc.property(
        nearLimitBody.filter(({ bytes }) => bytes <= MAX_ENVELOPE_BYTES),
        ({ body }) => {
          const result = decodeEnvelope(body);
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(sendProblem(toOutgoing(result.envelope, NOW))).toBeUndefined();
          const story = { reason: 'retries-exhausted' as const, error: { name: 'Error', message: 'failed' } };
          const info = infoFor(result.envelope, story);
          expect(sendProblem(deadLetterFromEnvelope(result.envelope, info))).toBeUndefined();
        },
      ),
      { numRuns: 6 },
    );
  });
});

describe('a body that does not decode can be dead-lettered', () => {
  /** The dead letter the engine writes for a body that did not decode (engine.ts, rejectRaw). */
  const rawDeadLetter = (body: string, decoded: Extract<DecodeResult, { ok: false }>) =>
    deadLetterFromRaw(
      body,
      {
        reason: decoded.reason,
        queue: 'default',
        attempts: 0,
        firstFailedAtMs: NOW,
        lastFailedAtMs: NOW,
        error: { name: 'EnvelopeError', code: 'WHARF_BAD_ENVELOPE', message: decoded.message },
      },
      decoded,
    );
  /** A body SQS could have delivered: it would have accepted it as a message of its own. */
  const deliverable = (body: string) => sendProblem({ body, attributes: {}, delaySeconds: 0 }) === undefined;

  it('for any deliverable body, and any envelope with a bad field, deadLetterFromRaw gives a message SQS accepts', () => {
    const bodies = fc.oneof(
      anyText(),
      fc.json({ stringUnit: 'binary' }),
      fc
        .tuple(validEnvelope(), fc.constantFrom(...ENVELOPE_FIELDS), fc.jsonValue({ maxDepth: 2 }))
        .map(([envelope, field, value]) => JSON.stringify({ ...envelope, [field]: value })),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        fc.pre(deliverable(body));
        const result = decodeEnvelope(body);
        if (result.ok) return;
        expect(sendProblem(rawDeadLetter(body, result))).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('near 1 MiB: the dead letter of a deliverable body that did not decode still fits', () => {
    const nearLimitJunk = fc
      .record({ missing: fc.integer({ min: 0, max: 300 }), fill: fc.constantFrom('x', 'é', '✓', '😀') })
      .map(({ missing, fill }) => {
        const head = 'not json: ';
        const room = SQS_LIMITS.maxMessageBytes - missing - head.length;
        const size = Buffer.byteLength(fill, 'utf8');
        const body = head + fill.repeat(Math.floor(room / size)) + 'x'.repeat(room % size);
        return shownAs(
          { body },
          `"${head}" then "${fill}" repeated: ${Buffer.byteLength(body)} bytes (1 MiB - ${missing})`,
        );
      });
    fc.assert(
      fc.property(nearLimitJunk, ({ body }) => {
        fc.pre(deliverable(body));
        const result = decodeEnvelope(body);
        // Past what wharf reads (SQS's limit less the dead letter's attribute room) it is oversize, not malformed.
        const reason = Buffer.byteLength(body) > MAX_ENVELOPE_BYTES ? 'oversize' : 'malformed-body';
        expect(result).toMatchObject({ ok: false, reason });
        if (!result.ok) expect(sendProblem(rawDeadLetter(body, result))).toBeUndefined();
      }),
      { numRuns: 6 },
    );
  });
});
