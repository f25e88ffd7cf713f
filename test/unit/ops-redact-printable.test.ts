import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { InvalidOptionsError } from '../../src/errors';
import { printable, safeJson } from '../../src/ops/printable';
import { REDACTED, redact } from '../../src/ops/redact';

describe('redact', () => {
  it('replaces the fields at the given paths, with * for every key or index, and leaves the input alone', () => {
    const payload = {
      orderId: 'o1',
      card: { number: '4242424242424242', expiry: '12/30' },
      contacts: [{ email: 'a@example.com', name: 'A' }, { email: 'b@example.com' }],
    };
    const shown = redact(payload, ['card.number', 'contacts.*.email']);
    expect(shown).toEqual({
      orderId: 'o1',
      card: { number: REDACTED, expiry: '12/30' },
      contacts: [{ email: REDACTED, name: 'A' }, { email: REDACTED }],
    });
    expect(payload.card.number).toBe('4242424242424242');
  });

  it('ignores paths that lead nowhere in this payload', () => {
    expect(redact({ a: 1 }, ['b.c', 'a.b', '*.x'])).toEqual({ a: 1 });
  });

  it('is a job option, checked when the job is defined', () => {
    const perform = () => undefined;
    const job = defineJob({ name: 'charge', schema: z.object({}), redact: ['card.number'], perform });
    expect(job.options.redact).toEqual(['card.number']);
    expect(() =>
      defineJob({ name: 'charge', schema: z.object({}), redact: ['card..number', 7 as never], perform }),
    ).toThrow(InvalidOptionsError);
  });
});

describe('printable', () => {
  it('turns terminal escapes, C1 controls and bidi overrides into visible replacement characters', () => {
    const hostile = 'ok\u001b[2J\u001b]0;owned\u0007 \u009b31m \u202egnp.exe';
    const shown = printable(hostile);
    for (const unsafe of ['\u001b', '\u0007', '\u009b', '\u202e']) expect(shown).not.toContain(unsafe);
    expect(shown).toContain('\ufffd[2J');
  });

  it('keeps newlines only for multiline text, and marks them otherwise', () => {
    expect(printable('a\nb\tc', { multiline: true })).toBe('a\nb\tc');
    expect(printable('a\nb')).toBe('a ⏎ b');
  });
});

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw, and the value is unchanged', () => {
    const value = { m: 'x\u009b31m\u202ey\u001b' };
    const text = safeJson(value);
    for (const unsafe of ['\u001b', '\u009b', '\u202e']) expect(text).not.toContain(unsafe);
    expect(JSON.parse(text)).toEqual(value);
  });
});
