import { performAllLater } from 'wharf-jobs';
import { dispatchWebhook } from '../jobs/dispatch-webhook';
import { importUsers } from '../jobs/import-users';
import { generateReport } from '../jobs/reports';
import { sendWelcomeEmail } from '../jobs/send-welcome-email';

/**
 * A realistic day: an import, webhooks to healthy, flaky, retired and dead endpoints, two reports for one owner. The nightly
 * cleanup is not enqueued here: its recurring schedule (functions/jobs/nightly-cleanup.ts) fires it at 2am.
 */
export async function enqueueDemoMix(): Promise<void> {
  await importUsers.performLater({ file: 'users.csv' });
  await performAllLater([
    dispatchWebhook.with({ endpointId: 'crm', event: 'user.imported', data: { batch: 1 } }),
    dispatchWebhook.with({ endpointId: 'billing', event: 'invoice.paid', data: { invoiceId: 'inv_1' } }),
    dispatchWebhook.with({ endpointId: 'analytics', event: 'page.viewed', data: { path: '/' } }),
    dispatchWebhook.with({ endpointId: 'retired', event: 'user.imported', data: { batch: 1 } }),
    dispatchWebhook.with({ endpointId: 'down', event: 'invoice.paid', data: { invoiceId: 'inv_2' } }),
  ]);
  // Two reports for one owner, due together: the job's concurrency limit (one per owner) builds them one at a time.
  await generateReport.performLater({ reportId: 'signups-2026-11', ownerId: 'u1' }, { delay: '10m' });
  await generateReport.performLater({ reportId: 'webhooks-2026-11', ownerId: 'u1' }, { delay: '10m' });
  // Asked for again while the first waits: its unique key is held, so nothing is sent, and the answer names the job.
  const again = await generateReport.performLater({ reportId: 'signups-2026-11', ownerId: 'u1' });
  console.log(`report signups-2026-11 asked for again: ${again.outcome} of job ${again.jobId}\n`);
  await sendWelcomeEmail.performLater({ userId: 'u-deleted' });
}
