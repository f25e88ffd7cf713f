// Test helpers throw plain Error subclasses, not WharfErrors: they report on the user's test, not on a job run, so
// no worker ever matches on them, and every test runner (vitest, jest, node:test) prints their message as is.

/**
 * An assertion about enqueued jobs did not hold. The message lists what was enqueued.
 * @example
 * expect(() => jobs.assertEnqueued(sendWelcome, { userId: 'u2' })).toThrow(JobAssertionError);
 */
export class JobAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobAssertionError';
  }
}

/**
 * A job run by `performEnqueued` failed. The job's own error is the `cause`.
 * @example
 * await expect(jobs.performEnqueued()).rejects.toMatchObject({ jobName: 'chargeCard', attempt: 1 });
 */
export class EnqueuedJobFailedError extends Error {
  readonly jobName: string;
  readonly jobId: string;
  readonly attempt: number;
  constructor(jobName: string, jobId: string, attempt: number, detail: string, cause: unknown) {
    super(`Job ${jobName} (id ${jobId}, attempt ${attempt}) failed: ${detail}`, { cause });
    this.name = 'EnqueuedJobFailedError';
    this.jobName = jobName;
    this.jobId = jobId;
    this.attempt = attempt;
  }
}

/**
 * `performEnqueued` ran `maxJobs` jobs and more were still due: most likely jobs that enqueue each other forever.
 * @example
 * await expect(jobs.performEnqueued({ maxJobs: 10 })).rejects.toThrow(MaxJobsExceededError);
 */
export class MaxJobsExceededError extends Error {
  readonly maxJobs: number;
  constructor(maxJobs: number, detail: string) {
    super(`performEnqueued ran ${maxJobs} jobs and jobs were still due, which looks like a loop.\n${detail}`);
    this.name = 'MaxJobsExceededError';
    this.maxJobs = maxJobs;
  }
}
