import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationError } from '../../src/cdk/config-lint';
import {
  ConfigError,
  ConflictError,
  EnqueueFailedError,
  errorMessage,
  InvalidAttemptError,
  InvalidEventError,
  InvalidOptionsError,
  JobIdReusedError,
  JobTimeoutError,
  NotFoundError,
  NotIdleError,
  SchedulerError,
  TransportError,
  WharfError,
} from '../../src/errors';
import { errorWithStack } from '../../src/ops/error-text';
import { nextRunAfter } from '../../src/schedule/next-run';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(c|m)?ts$/.test(name) ? [path] : [];
  });
}

function filesMatching(pattern: RegExp): string[] {
  return sources()
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SRC, file));
}

describe('the error hierarchy', () => {
  it.each([
    [EnqueueFailedError, 'WHARF_ENQUEUE_FAILED'],
    [TransportError, 'WHARF_TRANSPORT'],
    [SchedulerError, 'WHARF_SCHEDULER'],
    [NotFoundError, 'WHARF_NOT_FOUND'],
    [ConflictError, 'WHARF_CONFLICT'],
    [ConfigError, 'WHARF_CONFIG'],
    [InvalidEventError, 'WHARF_INVALID_EVENT'],
    [InvalidAttemptError, 'WHARF_INVALID_ATTEMPT'],
    [JobIdReusedError, 'WHARF_JOB_ID_REUSED'],
  ] as const)('%o carries its stable code, its own name and the cause', (Class, code) => {
    const cause = new Error('root');
    const error = new Class('what happened', { cause });
    expect(error).toBeInstanceOf(WharfError);
    expect(error).toMatchObject({ code, name: Class.name, message: 'what happened', cause });
  });

  it('says why a run was abandoned with the timeout code, not as a plain WharfError', () => {
    const error = new JobTimeoutError(30_000, 'abandoned');
    expect(error).toMatchObject({ code: 'WHARF_JOB_TIMEOUT', reason: 'abandoned', name: 'JobTimeoutError' });
    expect(new NotIdleError('still busy')).toMatchObject({ code: 'WHARF_NOT_IDLE', name: 'NotIdleError' });
  });

  it('has a class for every code: no source builds a bare WharfError from a code', () => {
    expect(filesMatching(/new WharfError\(/)).toEqual([]);
  });

  it('reads every thrown value through errorMessage, never through an `as Error` cast', () => {
    expect(filesMatching(/as Error\)/)).toEqual([]);
  });

  it('throws plain Error only inside schedule parsing, where each one is caught and rethrown as ours', () => {
    // parseSchedule and defineRecurring catch these and list their messages in one InvalidOptionsError.
    const internal = [
      'schedule/cron5.ts',
      'schedule/define-recurring.ts',
      'schedule/parse-schedule.ts',
      'schedule/phrases.ts',
    ];
    expect(filesMatching(/new Error\(/).filter((file) => !internal.includes(file))).toEqual([]);
  });

  it('throws InvalidOptionsError (WHARF_INVALID_SCHEDULE) from nextRunAfter for an expression it cannot read', () => {
    const thrown = (() => {
      try {
        nextRunAfter('cron(nonsense)', 'UTC', 0);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(InvalidOptionsError);
    expect(thrown).toMatchObject({ code: 'WHARF_INVALID_SCHEDULE' });
  });

  it('reports config lint problems as one ConfigError', () => {
    const error = configurationError(['visibility timeout too short', 'maxReceiveCount below 5']);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('2 problems');
  });
});

describe("an error's cause in the CLI and the dashboard", () => {
  it('is printed under the headline, before the stack', () => {
    const text = errorWithStack({
      name: 'TransportError',
      code: 'WHARF_TRANSPORT',
      message: 'ReceiveMessage failed',
      stack: 'TransportError: ReceiveMessage failed\n    at receive (sqs.ts:1:1)',
      cause: { name: 'TimeoutError', code: 'ETIMEDOUT', message: 'socket timed out' },
    });
    expect(text.split('\n')).toEqual([
      'TransportError [WHARF_TRANSPORT]: ReceiveMessage failed',
      'Caused by: TimeoutError [ETIMEDOUT]: socket timed out',
      '    at receive (sqs.ts:1:1)',
    ]);
  });
});

describe('errorMessage', () => {
  it.each([
    ['an Error', new TypeError('bad'), 'bad'],
    ['a string', 'plain words', 'plain words'],
    ['null', null, 'null'],
    ['an object with a message', { message: 'from a fetch polyfill' }, 'from a fetch polyfill'],
    ['an object without a prototype', Object.create(null), '[object Object]'],
    [
      'an object whose toString throws',
      {
        toString() {
          throw new Error('no');
        },
      },
      '[object Object]',
    ],
  ])('reads %s without throwing', (_what, thrown, expected) => {
    expect(errorMessage(thrown)).toBe(expected);
  });
});
