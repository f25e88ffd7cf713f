import { defineJob, defineRecurring } from 'wharf-jobs';
import { z } from 'zod';
import { services } from '../app/services';

/** Removes test users older than the given age. Recurring (nightly); running it twice is harmless. */
export const nightlyCleanup = defineJob({
  name: 'nightly-cleanup',
  schema: z.object({ olderThanDays: z.number().int().min(0).default(30) }),
  queue: 'maintenance',
  idempotency: 'off',
  timeout: '5m',
  async perform({ olderThanDays }) {
    const removed = services().users.removeTestUsers(Date.now() - olderThanDays * 86_400_000);
    return { removed };
  },
});

/**
 * Every night at 2am Berlin time, daylight saving time included. Deployed as an EventBridge Scheduler schedule by
 * the CDK construct and fired by the embedded engine; each night's firing runs once, even delivered twice.
 */
export const nightlyCleanupSchedule = defineRecurring({
  task: 'nightly-cleanup',
  job: nightlyCleanup,
  payload: { olderThanDays: 0 },
  schedule: 'every day at 2am',
  timeZone: 'Europe/Berlin',
});
