import { createRegistry } from 'wharf-jobs';
import { dispatchWebhook } from './jobs/dispatch-webhook';
import { importUsers } from './jobs/import-users';
import { nightlyCleanup, nightlyCleanupSchedule } from './jobs/nightly-cleanup';
import { generateReport, notifyReportOwner } from './jobs/reports';
import { sendWelcomeEmail } from './jobs/send-welcome-email';

/**
 * Every job of the example app and its recurring tasks: what the workers serve, what the CDK construct deploys
 * (queues, workers, one EventBridge Scheduler schedule per task) and what the embedded engine fires.
 */
export const registry = createRegistry(
  [sendWelcomeEmail, importUsers, dispatchWebhook, generateReport, notifyReportOwner, nightlyCleanup],
  { recurring: [nightlyCleanupSchedule] },
);
