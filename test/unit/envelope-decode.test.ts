import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_ROOM_BYTES,
  type DecodeResult,
  decodeEnvelope,
  jsonDepth,
  MAX_DEPTH,
  MAX_ENVELOPE_BYTES,
} from '../../src/envelope/decode';
import { ATTR, ENVELOPE_VERSION, type Envelope } from '../../src/envelope/envelope';
import { MAX_SQS_DELAY_SECONDS, toOutgoing } from '../../src/envelope/outgoing';
import { SQS_LIMITS } from '../../src/transport/message-limits';

const NOW = Date.UTC(2026, 10, 25, 12);

const fields = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  v: ENVELOPE_VERSION,
  id: 'job-1',
  job: 'sendEmail',
  payload: { to: 'a@example.com' },
  attempt: 1,
  createdAtMs: NOW,
  enqueuedAtMs: NOW,
  ...extra,
});
const body = (extra: Record<string, unknown> = {}) => JSON.stringify(fields(extra));

function failure(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a decode failure, got ${JSON.stringify(result.envelope)}`);
  return result;
}

/** An envelope whose payload is `levels` nested arrays: total depth is levels + 1 (the envelope object). */
const nestedPayload = (levels: number) =>
  `{"v":1,"id":"deep","job":"j","attempt":1,"createdAtMs":${NOW},"enqueuedAtMs":${NOW},"payload":${'['.repeat(levels)}${']'.repeat(levels)}}`;

describe('decodeEnvelope', () => {
  it('accepts a well-formed envelope and returns it as sent', () => {
    const result = decodeEnvelope(body({ runAtMs: NOW + 1000, deferrals: 2, redrives: 1, failures: [] }));
    expect(result).toEqual({
      ok: true,
      envelope: fields({ runAtMs: NOW + 1000, deferrals: 2, redrives: 1, failures: [] }),
    });
  });

  describe('size', () => {
    it('rejects a body one byte over the limit as oversize, naming its size and the limit', () => {
      const padding = 'x'.repeat(MAX_ENVELOPE_BYTES - body({ payload: '' }).length + 1);
      const text = body({ payload: padding });
      expect(Buffer.byteLength(text)).toBe(MAX_ENVELOPE_BYTES + 1);
      const result = failure(decodeEnvelope(text));
      expect(result.reason).toBe('oversize');
      expect(result.message).toBe(
        `body is ${MAX_ENVELOPE_BYTES + 1} bytes; wharf reads at most ${MAX_ENVELOPE_BYTES} (SQS's ${SQS_LIMITS.maxMessageBytes} less ${ATTRIBUTE_ROOM_BYTES} kept for the dead letter's attributes)`,
      );
    });

    it('accepts a body of exactly the limit', () => {
      const padding = 'x'.repeat(MAX_ENVELOPE_BYTES - body({ payload: '' }).length);
      const text = body({ payload: padding });
      expect(Buffer.byteLength(text)).toBe(MAX_ENVELOPE_BYTES);
      expect(decodeEnvelope(text).ok).toBe(true);
    });

    it('counts bytes, not characters: multi-byte characters under the character limit are still oversize', () => {
      // 'é' is 2 bytes in UTF-8 and '✓' is 3: well under a million characters, well over a million bytes.
      const text = body({ payload: 'é✓'.repeat(220_000) });
      expect(text.length).toBeLessThan(MAX_ENVELOPE_BYTES);
      expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_ENVELOPE_BYTES);
      expect(failure(decodeEnvelope(text)).reason).toBe('oversize');
    });

    it("keeps room for a dead letter's attributes: a body that nearly fills SQS's whole limit is oversize", () => {
      const padding = 'x'.repeat(SQS_LIMITS.maxMessageBytes - body({ payload: '' }).length - 100);
      expect(failure(decodeEnvelope(body({ payload: padding }))).reason).toBe('oversize');
      expect(MAX_ENVELOPE_BYTES).toBe(SQS_LIMITS.maxMessageBytes - ATTRIBUTE_ROOM_BYTES);
    });

    it('checks size before parsing, so an oversize non-JSON body reads as oversize', () => {
      expect(failure(decodeEnvelope('{'.repeat(MAX_ENVELOPE_BYTES + 1))).reason).toBe('oversize');
    });
  });

  describe('nesting depth', () => {
    it(`accepts nesting of exactly MAX_DEPTH (${MAX_DEPTH}) levels`, () => {
      const text = nestedPayload(MAX_DEPTH - 1);
      expect(jsonDepth(text)).toBe(MAX_DEPTH);
      expect(decodeEnvelope(text).ok).toBe(true);
    });

    it('rejects one level more as hostile input, before parsing it', () => {
      const text = nestedPayload(MAX_DEPTH);
      expect(jsonDepth(text)).toBe(MAX_DEPTH + 1);
      const result = failure(decodeEnvelope(text));
      expect(result.reason).toBe('hostile-input');
      expect(result.message).toBe(`JSON nesting deeper than ${MAX_DEPTH} levels`);
    });

    it('rejects extreme nesting (100k levels) without a stack overflow', () => {
      const text = nestedPayload(100_000);
      expect(() => decodeEnvelope(text)).not.toThrow();
      expect(failure(decodeEnvelope(text)).reason).toBe('hostile-input');
    });

    it('accepts a shallow body with many brackets inside its strings', () => {
      // More than MAX_DEPTH brackets send it to the exact scan, which skips string contents.
      const text = body({ payload: { text: '{['.repeat(MAX_DEPTH) } });
      expect(decodeEnvelope(text).ok).toBe(true);
    });

    it('rejects deep nesting with the brackets spread over several keys', () => {
      const deep = `${'{"a":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}`;
      const text = body().replace('"payload":{', `"payload":{"x":${deep},`);
      expect(failure(decodeEnvelope(text)).reason).toBe('hostile-input');
    });

    it('counts mixed objects and arrays alike', () => {
      expect(jsonDepth('{"a":[{"b":[{}]}]}')).toBe(5);
      expect(jsonDepth('[]')).toBe(1);
      expect(jsonDepth('"no nesting"')).toBe(0);
    });

    it('does not count brackets inside strings', () => {
      const text = body({ payload: { note: '['.repeat(500) + '{'.repeat(500) } });
      expect(jsonDepth(text)).toBe(2);
      expect(decodeEnvelope(text).ok).toBe(true);
    });

    it('does not end a string at an escaped quote, so brackets after it are still not counted', () => {
      // One escaped quote: a scanner that ended the string there would count the 200 brackets after it.
      const text = body({ payload: `5" tall ${'['.repeat(200)}` });
      expect(text).toContain('5\\" tall [[[');
      expect(jsonDepth(text)).toBe(1);
      expect(decodeEnvelope(text).ok).toBe(true);
    });

    it('ends a string after an escaped backslash, so brackets after it are counted', () => {
      // "a\\" is the string `a\`; the quote after the two backslashes closes it.
      const tail = `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`;
      const text = `{"v":1,"id":"x","job":"j","attempt":1,"createdAtMs":1,"enqueuedAtMs":1,"note":"a\\\\","payload":${tail}}`;
      expect(JSON.parse(text).note).toBe('a\\');
      expect(jsonDepth(text)).toBe(MAX_DEPTH + 1);
      expect(failure(decodeEnvelope(text)).reason).toBe('hostile-input');
    });
  });

  describe('prototype pollution', () => {
    const cases: Record<string, string> = {
      'at the top level': '{"__proto__":{"polluted":true},"v":1}',
      'inside the payload': body().replace('"payload":{', '"payload":{"__proto__":{"polluted":true},'),
      'deep inside an array': body({ payload: [[{ a: 1 }]] }).replace(
        '{"a":1}',
        '{"a":{"__proto__":{"x":1}}}',
      ),
    };
    it.each(Object.entries(cases))('rejects a "__proto__" key %s as hostile input', (_where, text) => {
      expect(text).toContain('"__proto__"');
      const result = failure(decodeEnvelope(text));
      expect(result.reason).toBe('hostile-input');
      expect(result.message).toContain('__proto__');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([
      ['"__proto__"', '\\u005f\\u005fproto\\u005f\\u005f'],
      ['"constructor"', '\\u0063onstructor'],
    ])('rejects a %s key spelled with \\u escapes as hostile input', (_key, escaped) => {
      const value = escaped.startsWith('\\u0063') ? '{"prototype":{"polluted":true}}' : '{"polluted":true}';
      const text = body().replace('"payload":{', `"payload":{"${escaped}":${value},`);
      expect(text).not.toContain('__proto__');
      expect(text).not.toContain('constructor');
      expect(failure(decodeEnvelope(text)).reason).toBe('hostile-input');
    });

    it('rejects "constructor.prototype" as hostile input', () => {
      const text = body({ payload: { constructor: { prototype: { polluted: true } } } });
      const result = failure(decodeEnvelope(text));
      expect(result.reason).toBe('hostile-input');
      expect(result.message).toContain('constructor.prototype');
    });

    it('allows a plain "constructor" key, whose value is data', () => {
      const payload = { constructor: 'Ada', nested: { constructor: { name: 'Grace' } } };
      const result = decodeEnvelope(body({ payload }));
      expect(result.ok && result.envelope.payload).toEqual(payload);
    });
  });

  describe('shape', () => {
    it.each([
      ['a number', '42'],
      ['a string', '"hello"'],
      ['null', 'null'],
      ['an array', '[1,2]'],
      ['a boolean', 'true'],
    ])('rejects JSON that is %s as malformed-body', (_what, text) => {
      const result = failure(decodeEnvelope(text));
      expect(result.reason).toBe('malformed-body');
      expect(result.message).toBe('body is JSON but not an object');
    });

    it('rejects a body that is not JSON as malformed-body, quoting the parser', () => {
      const result = failure(decodeEnvelope('not json {'));
      expect(result.reason).toBe('malformed-body');
      expect(result.message).toMatch(/^body is not JSON: /);
    });

    it.each([
      ['another version', { v: 2 }, '2'],
      ['no version', { v: undefined }, 'undefined'],
      ['a string version', { v: '1' }, '"1"'],
    ])(
      'rejects %s as unsupported-version, keeping the job name and id it could read',
      (_what, extra, shown) => {
        const result = failure(decodeEnvelope(body(extra)));
        expect(result).toMatchObject({ reason: 'unsupported-version', job: 'sendEmail', id: 'job-1' });
        expect(result.message).toBe(
          `envelope version ${shown} is not supported (expected ${ENVELOPE_VERSION})`,
        );
      },
    );

    it('lists every missing field together', () => {
      const result = failure(decodeEnvelope('{"v":1}'));
      expect(result.reason).toBe('malformed-body');
      expect(result.message).toBe(
        'not a wharf envelope: id must be a non-empty string; job must be a non-empty string; payload is missing; ' +
          'attempt must be a positive integer; createdAtMs and enqueuedAtMs must be epoch milliseconds',
      );
      expect(result.job).toBeUndefined();
      expect(result.id).toBeUndefined();
    });

    it('lists every invalid field together, keeping the job name and id for the dead letter', () => {
      const result = failure(
        decodeEnvelope(
          body({
            attempt: 0,
            enqueuedAtMs: -1,
            runAtMs: 'soon',
            deferrals: 1.5,
            redrives: -2,
            failures: {},
          }),
        ),
      );
      expect(result).toMatchObject({ reason: 'malformed-body', job: 'sendEmail', id: 'job-1' });
      expect(result.message).toBe(
        'not a wharf envelope: attempt must be a positive integer; createdAtMs and enqueuedAtMs must be epoch ' +
          'milliseconds; runAtMs must be epoch milliseconds; deferrals must be a count; redrives must be a count; ' +
          'failures must be a list of { attempt, atMs, error: { name, message } }',
      );
    });

    // Found by the property tests (issue 12): `deadLetter: null` read as a redrive (attempts start again) and
    // `failures: [null]` threw when a retry had to be trimmed, releasing the message on every delivery.
    it.each([
      ['deadLetter: null', { deadLetter: null }, 'deadLetter must be'],
      ['deadLetter without its story', { deadLetter: {} }, 'deadLetter must be'],
      ['failures: [null]', { failures: [null] }, 'failures must be a list of'],
      [
        'a failure without an error',
        { failures: [{ attempt: 1, atMs: NOW, error: null }] },
        'failures must be a list of',
      ],
      [
        'firing.manual that is not a boolean',
        { firing: { task: 't', at: '2026-11-25T12:00:00Z', manual: 'yes' } },
        'firing must be',
      ],
    ])('refuses %s as malformed-body', (_what, fields, problem) => {
      const result = failure(decodeEnvelope(body(fields)));
      expect(result.reason).toBe('malformed-body');
      expect(result.message).toContain(problem);
    });

    it.each([
      ['an empty id', { id: '' }, 'id must be a non-empty string'],
      ['an id over 512 characters', { id: 'i'.repeat(513) }, 'id must be a non-empty string'],
      ['a numeric id', { id: 7 }, 'id must be a non-empty string'],
      ['an empty job name', { job: '' }, 'job must be a non-empty string'],
      ['a job name over 256 characters', { job: 'j'.repeat(257) }, 'job must be a non-empty string'],
      ['a fractional attempt', { attempt: 1.5 }, 'attempt must be a positive integer'],
      ['a string attempt', { attempt: '1' }, 'attempt must be a positive integer'],
      [
        'an unsafe createdAtMs',
        { createdAtMs: 2 ** 53 },
        'createdAtMs and enqueuedAtMs must be epoch milliseconds',
      ],
    ])('rejects %s', (_what, extra, problem) => {
      const result = failure(decodeEnvelope(body(extra)));
      expect(result.reason).toBe('malformed-body');
      expect(result.message).toBe(`not a wharf envelope: ${problem}`);
    });

    it('accepts a payload of null (present, even if empty)', () => {
      expect(decodeEnvelope(body({ payload: null })).ok).toBe(true);
    });

    it('truncates an over-long job name and id it reports, so a dead letter stays small', () => {
      const result = failure(decodeEnvelope(body({ job: 'j'.repeat(5000), id: 'i'.repeat(5000) })));
      expect(result.job).toHaveLength(256);
      expect(result.id).toHaveLength(512);
    });
  });
});

describe('toOutgoing', () => {
  const envelope = (extra: Partial<Envelope> = {}): Envelope => fields(extra) as unknown as Envelope;
  const wire = (message: { body: string }) => JSON.parse(message.body) as Envelope;

  it('sends a job due now without delay and without runAtMs', () => {
    const message = toOutgoing(envelope(), NOW);
    expect(message.delaySeconds).toBe(0);
    expect(wire(message)).not.toHaveProperty('runAtMs');
    expect(wire(message)).toEqual(envelope());
  });

  it('clamps a runAtMs in the past to no delay', () => {
    const message = toOutgoing(envelope({ runAtMs: NOW - 60_000 }), NOW);
    expect(message.delaySeconds).toBe(0);
    expect(wire(message)).not.toHaveProperty('runAtMs');
  });

  it('rounds a fractional delay up, so the message is never early', () => {
    expect(toOutgoing(envelope({ runAtMs: NOW + 1_500 }), NOW).delaySeconds).toBe(2);
    expect(toOutgoing(envelope({ runAtMs: NOW + 1 }), NOW).delaySeconds).toBe(1);
  });

  it('uses exactly 15 minutes as a plain SQS delay and drops runAtMs', () => {
    const message = toOutgoing(envelope({ runAtMs: NOW + MAX_SQS_DELAY_SECONDS * 1000 }), NOW);
    expect(message.delaySeconds).toBe(900);
    expect(wire(message)).not.toHaveProperty('runAtMs');
  });

  it('caps the delay at 900 s and keeps runAtMs when the job is due beyond 15 minutes', () => {
    const runAtMs = NOW + MAX_SQS_DELAY_SECONDS * 1000 + 1;
    const message = toOutgoing(envelope({ runAtMs }), NOW);
    expect(message.delaySeconds).toBe(900);
    expect(wire(message).runAtMs).toBe(runAtMs);
    const farAway = toOutgoing(envelope({ runAtMs: NOW + 30 * 86_400_000 }), NOW);
    expect(farAway.delaySeconds).toBe(900);
    expect(wire(farAway).runAtMs).toBe(NOW + 30 * 86_400_000);
  });

  it('carries the job name, id and attempt as message attributes', () => {
    const message = toOutgoing(envelope({ attempt: 3 }), NOW);
    expect(message.attributes).toEqual({
      [ATTR.job]: 'sendEmail',
      [ATTR.jobId]: 'job-1',
      [ATTR.attempt]: '3',
    });
  });

  it('produces a body that decodes back to the same envelope', () => {
    const original = envelope({ runAtMs: NOW + 3_600_000, deferrals: 1 });
    const result = decodeEnvelope(toOutgoing(original, NOW).body);
    expect(result).toEqual({ ok: true, envelope: original });
  });
});
