import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../functions/report-error';

// The example app's error reporter (functions/report-error.ts), as the deployed worker and the worker process use
// it: one JSON line on stderr per error worth chasing; a discard the job asked for is not one.
describe("the example app's error reporter", () => {
  afterEach(() => vi.restoreAllMocks());
  const base = {
    queue: 'default',
    messageId: 'm-1',
    jobName: 'send-welcome-email',
    jobId: 'j-1',
    attempt: 1,
  };

  it('writes one JSON line for a failed attempt, with the job and whether it will retry', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await reportError(new Error('smtp down'), {
      ...base,
      kind: 'attempt',
      willRetry: true,
      outcome: 'retry-scheduled',
    });
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(stderr.mock.calls[0]?.[0]))).toMatchObject({
      wharfError: 'attempt',
      name: 'Error',
      message: 'smtp down',
      jobId: 'j-1',
      willRetry: true,
    });
  });

  it('leaves out a discard: the job decided it, and its outcome line says so', async () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await reportError(new Error('user gone'), {
      ...base,
      kind: 'attempt',
      willRetry: false,
      outcome: 'discarded',
    });
    expect(stderr).not.toHaveBeenCalled();
  });
});
