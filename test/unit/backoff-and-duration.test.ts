import { describe, expect, it } from 'vitest';
import { hasCode, InvalidOptionsError } from '../../src/errors';
import { type BackoffPolicy, backoffDelayMs, DEFAULT_BACKOFF } from '../../src/job/backoff';
import { parseDuration, toMs } from '../../src/job/duration';

const noJitter = () => 0;
const S = 1000;

describe('backoffDelayMs', () => {
  describe('polynomial (ActiveJob :polynomially_longer)', () => {
    const policy: BackoffPolicy = { strategy: 'polynomial', exponent: 4 };

    it('waits attempt^4 + 2 seconds after each attempt', () => {
      const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(policy, attempt, noJitter));
      expect(delays).toEqual([3 * S, 18 * S, 83 * S, 258 * S, 627 * S]);
    });

    it('uses exponent 4 when none is given', () => {
      expect(backoffDelayMs({ strategy: 'polynomial' }, 3, noJitter)).toBe(83 * S);
    });

    it('honours another exponent', () => {
      expect(backoffDelayMs({ strategy: 'polynomial', exponent: 2 }, 3, noJitter)).toBe(11 * S);
    });

    it('is the default policy, capped at one hour with 15% jitter', () => {
      expect(DEFAULT_BACKOFF).toEqual({ strategy: 'polynomial', exponent: 4, max: '1h', jitter: 0.15 });
      expect(backoffDelayMs(DEFAULT_BACKOFF, 2, noJitter)).toBe(18 * S);
      // 8^4 + 2 = 4098 s is past the hour.
      expect(backoffDelayMs(DEFAULT_BACKOFF, 8, noJitter)).toBe(3_600 * S);
    });
  });

  describe('exponential', () => {
    it('doubles from one second by default', () => {
      const delays = [1, 2, 3, 4].map((attempt) =>
        backoffDelayMs({ strategy: 'exponential' }, attempt, noJitter),
      );
      expect(delays).toEqual([1 * S, 2 * S, 4 * S, 8 * S]);
    });

    it('grows from the given base by the given factor', () => {
      const policy: BackoffPolicy = { strategy: 'exponential', base: '5s', factor: 3 };
      expect([1, 2, 3].map((attempt) => backoffDelayMs(policy, attempt, noJitter))).toEqual([
        5 * S,
        15 * S,
        45 * S,
      ]);
    });

    it('stops growing at max', () => {
      const policy: BackoffPolicy = { strategy: 'exponential', base: '1s', max: '10s' };
      expect([3, 4, 5, 30].map((attempt) => backoffDelayMs(policy, attempt, noJitter))).toEqual([
        4 * S,
        8 * S,
        10 * S,
        10 * S,
      ]);
    });
  });

  describe('fixed', () => {
    it('waits the same delay after every attempt', () => {
      const policy: BackoffPolicy = { strategy: 'fixed', delay: '2m' };
      expect([1, 5, 50].map((attempt) => backoffDelayMs(policy, attempt, noJitter))).toEqual([
        120 * S,
        120 * S,
        120 * S,
      ]);
    });
  });

  describe('jitter', () => {
    it('adds nothing when the random source gives 0, and the whole fraction as it approaches 1', () => {
      const policy: BackoffPolicy = { strategy: 'fixed', delay: '10s', jitter: 0.5 };
      expect(backoffDelayMs(policy, 1, () => 0)).toBe(10 * S);
      expect(backoffDelayMs(policy, 1, () => 0.5)).toBe(12.5 * S);
      expect(backoffDelayMs(policy, 1, () => 0.999_999)).toBe(15 * S);
    });

    it('stays within [delay, delay * (1 + jitter)] for any random value', () => {
      const policy: BackoffPolicy = { strategy: 'polynomial', jitter: 0.15 };
      for (let i = 0; i <= 100; i++) {
        const r = Math.min(i / 100, 0.999_999);
        const delay = backoffDelayMs(policy, 3, () => r);
        expect(delay).toBeGreaterThanOrEqual(83 * S);
        expect(delay).toBeLessThanOrEqual(Math.round(83 * S * 1.15));
      }
    });

    it('spreads the capped delay, so retries at the cap do not all land at once', () => {
      const policy: BackoffPolicy = { strategy: 'exponential', max: '1m', jitter: 0.2 };
      expect(backoffDelayMs(policy, 40, () => 0)).toBe(60 * S);
      expect(backoffDelayMs(policy, 40, () => 0.5)).toBe(66 * S);
    });

    it('adds no jitter when none is configured, whatever the random source says', () => {
      expect(backoffDelayMs({ strategy: 'fixed', delay: '3s' }, 1, () => 0.9)).toBe(3 * S);
    });
  });

  it('always gives a whole, finite number of milliseconds', () => {
    const policies: BackoffPolicy[] = [
      DEFAULT_BACKOFF,
      { strategy: 'exponential', base: '333ms', factor: 1.7, max: '1h', jitter: 0.3 },
      { strategy: 'fixed', delay: '1.5s', jitter: 0.15 },
    ];
    for (const policy of policies)
      for (let attempt = 1; attempt <= 1000; attempt += 37) {
        const delay = backoffDelayMs(policy, attempt, Math.random);
        expect(Number.isSafeInteger(delay)).toBe(true);
      }
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['3d', 259_200_000],
    ['1.5s', 1_500],
    ['0s', 0],
    [' 5m ', 300_000],
  ])('reads "%s" as %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it('reads { ms } and { seconds } objects', () => {
    expect(parseDuration({ ms: 1234 })).toEqual({ ms: 1234 });
    expect(parseDuration({ seconds: 2.5 })).toEqual({ ms: 2500 });
  });

  it('rejects a bare number and says how to add the unit', () => {
    expect(parseDuration(30)).toEqual({
      problem:
        'expected a duration like "30s" or { seconds: 30 }, received the number 30 (add a unit, e.g. "30s")',
    });
  });

  it('rejects a number written as a string without a unit, quoting what it received', () => {
    expect(parseDuration('30')).toEqual({
      problem: 'expected a duration like "30s", "15m" or "2h", received "30"',
    });
  });

  it.each(['5 s', '-5s', '1w', '5sec', '.5s', '1e3s', 'ms', ''])('rejects the string "%s"', (text) => {
    expect(parseDuration(text)).toHaveProperty('problem');
  });

  it.each([
    ['a negative { ms }', { ms: -1 }],
    ['a NaN { seconds }', { seconds: Number.NaN }],
    ['an infinite { ms }', { ms: Number.POSITIVE_INFINITY }],
    ['an object with neither', { minutes: 5 }],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s', (_what, value) => {
    expect(parseDuration(value)).toHaveProperty('problem');
  });
});

describe('toMs', () => {
  it('returns milliseconds for a valid duration', () => {
    expect(toMs('2s')).toBe(2000);
  });

  it('throws InvalidOptionsError naming the field', () => {
    let thrown: unknown;
    try {
      toMs(5 as never, 'retry.backoff.delay');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionsError);
    expect(hasCode(thrown, 'WHARF_INVALID_OPTIONS')).toBe(true);
    expect((thrown as InvalidOptionsError).problems).toEqual([
      'retry.backoff.delay: expected a duration like "30s" or { seconds: 30 }, received the number 5 (add a unit, e.g. "5s")',
    ]);
  });
});
