import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableTestMode, runJob, type TestJobs } from 'wharf-jobs/testing';
import { type AppServices, createInMemoryServices, useServices } from '../../../functions/app/services';
import { startWebhookServer, type WebhookServer } from '../../../functions/demo/webhook-server';
import { dispatchWebhook } from '../../../functions/jobs/dispatch-webhook';
import { importUsers } from '../../../functions/jobs/import-users';
import { nightlyCleanup } from '../../../functions/jobs/nightly-cleanup';
import { generateReport, notifyReportOwner } from '../../../functions/jobs/reports';
import { sendWelcomeEmail } from '../../../functions/jobs/send-welcome-email';

// The example app's own tests, written the way a wharf user writes theirs: with wharf-jobs/testing, no AWS.
let jobs: TestJobs;
let services: AppServices;
beforeEach(() => {
  jobs = enableTestMode();
  services = createInMemoryServices();
  useServices(services);
});
afterEach(() => jobs.restore());

describe('import-users', () => {
  it('imports the valid rows, reports the bad ones, and enqueues one welcome email per new user', async () => {
    await importUsers.performLater({ file: 'users.csv' });
    const { performed } = await jobs.performEnqueued({ only: [importUsers] });
    expect(performed[0]).toMatchObject({
      outcome: 'succeeded',
      result: {
        imported: 6,
        unchanged: 1,
        badRows: [
          { line: 4, problem: expect.stringContaining('not an email') },
          { line: 6, problem: 'name is empty' },
          { line: 8, problem: 'expected 2 columns, found 3' },
        ],
      },
    });
    expect(jobs.count(sendWelcomeEmail)).toBe(6);
    jobs.assertEnqueued(sendWelcomeEmail, { userId: 'u1' });
  });

  it('creates nobody twice when the same file is imported again', async () => {
    await importUsers.performNow({ file: 'users.csv' });
    const second = await importUsers.performNow({ file: 'users.csv' });
    expect(second).toMatchObject({ imported: 0, unchanged: 7 });
    expect(services.users.all()).toHaveLength(6);
  });

  it('refuses a path outside the data folder at enqueue', async () => {
    await expect(importUsers.performLater({ file: '../../etc/passwd' })).rejects.toThrow(
      /file: a \.csv file name/,
    );
    expect(jobs.count()).toBe(0);
  });
});

describe('send-welcome-email', () => {
  it('sends one email per user, keyed by the job id, even when run twice', async () => {
    const { user } = services.users.upsertByEmail({ email: 'ada@example.com', name: 'Ada' }, 0);
    await sendWelcomeEmail.performLater({ userId: user.id });
    await sendWelcomeEmail.performLater({ userId: user.id });
    const { performed } = await jobs.performEnqueued();
    expect(performed.map((p) => p.outcome)).toEqual(['succeeded', 'duplicate']);
    expect(services.mailer.outbox).toEqual([
      expect.objectContaining({ to: 'ada@example.com', idempotencyKey: `send-welcome-email:${user.id}` }),
    ]);
  });

  it('is discarded when the user is gone', async () => {
    expect(await runJob(sendWelcomeEmail, { userId: 'nobody' })).toMatchObject({ outcome: 'discarded' });
  });
});

describe('dispatch-webhook', () => {
  let server: WebhookServer;
  beforeEach(async () => {
    server = await startWebhookServer();
    useServices({ ...services, webhookUrl: (id) => `${server.baseUrl}/${id}` });
  });
  afterEach(() => server.close());

  it('retries a failed delivery with exponential backoff', async () => {
    // The demo server fails its first request.
    expect(
      await runJob(dispatchWebhook, { endpointId: 'crm', event: 'e', data: {} }, { attempt: 1 }),
    ).toMatchObject({ outcome: 'retry', delayMs: 2000 });
    expect(
      await runJob(dispatchWebhook, { endpointId: 'down', event: 'e', data: {} }, { attempt: 2 }),
    ).toMatchObject({ outcome: 'retry', delayMs: 6000 });
  });

  it('dead-letters after the fourth attempt and discards on 410 Gone', async () => {
    expect(
      await runJob(dispatchWebhook, { endpointId: 'down', event: 'e', data: {} }, { attempt: 4 }),
    ).toMatchObject({ outcome: 'dead', reason: 'retries-exhausted' });
    expect(await runJob(dispatchWebhook, { endpointId: 'retired', event: 'e', data: {} })).toMatchObject({
      outcome: 'discarded',
    });
  });

  it('sends the job id as the Idempotency-Key so a receiver can dedupe retries', async () => {
    await runJob(dispatchWebhook, { endpointId: 'crm', event: 'first-fails', data: {} }, { jobId: 'hook-1' });
    await runJob(
      dispatchWebhook,
      { endpointId: 'crm', event: 'first-fails', data: {} },
      { jobId: 'hook-1', attempt: 2 },
    );
    expect([...server.accepted.keys()]).toEqual(['hook-1']);
  });
});

describe('generate-report -> notify-report-owner', () => {
  it('builds the report, then notifies its owner in a second job', async () => {
    const { user } = services.users.upsertByEmail({ email: 'grace@example.com', name: 'Grace' }, 0);
    await generateReport.performLater({ reportId: 'r1', ownerId: user.id }, { delay: '10m' });
    jobs.assertEnqueued(generateReport, { reportId: 'r1' }, { delay: '10m' });
    expect((await jobs.performEnqueued()).performed).toHaveLength(0);
    jobs.travel('10m');
    await jobs.performEnqueued();
    expect(jobs.performed().map((p) => p.jobName)).toEqual(['generate-report', 'notify-report-owner']);
    expect(services.mailer.outbox).toEqual([
      expect.objectContaining({ to: 'grace@example.com', subject: 'Your report is ready' }),
    ]);
  });

  it('asks to retry later when the report is not visible yet', async () => {
    expect(await runJob(notifyReportOwner, { reportId: 'missing' })).toMatchObject({
      outcome: 'retry',
      delayMs: 5000,
    });
  });
});

describe('nightly-cleanup', () => {
  it('removes only old test users', async () => {
    services.users.upsertByEmail({ email: 't@example.invalid', name: 'T' }, 0);
    services.users.upsertByEmail({ email: 'real@example.com', name: 'R' }, 0);
    expect(await runJob(nightlyCleanup, { olderThanDays: 1 })).toMatchObject({
      outcome: 'succeeded',
      result: { removed: 1 },
    });
    expect(services.users.all().map((u) => u.email)).toEqual(['real@example.com']);
  });
});
