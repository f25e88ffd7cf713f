import { createRegistry } from 'wharf';
import { dispatchWebhook } from './jobs/dispatch-webhook';
import { importUsers } from './jobs/import-users';
import { nightlyCleanup } from './jobs/nightly-cleanup';
import { generateReport, notifyReportOwner } from './jobs/reports';
import { sendWelcomeEmail } from './jobs/send-welcome-email';

/** Every job of the example app: what the workers serve and what the CDK construct deploys. */
export const registry = createRegistry([
  sendWelcomeEmail,
  importUsers,
  dispatchWebhook,
  generateReport,
  notifyReportOwner,
  nightlyCleanup,
]);
