import { defineJob } from 'wharf-jobs';
import { z } from 'zod';
import { services } from '../app/services';

/** Second link of the chain: tells the owner the report is ready. One email per report. */
export const notifyReportOwner = defineJob({
  name: 'notify-report-owner',
  schema: z.object({ reportId: z.string().min(1) }),
  queue: 'default',
  idempotency: 'exactly-once',
  jobId: ({ reportId }) => reportId,
  async perform({ reportId }, ctx) {
    const report = services().reports.get(reportId);
    if (!report) return ctx.retryAfter('5s', `report ${reportId} is not visible yet`);
    const owner = services().users.get(report.ownerId);
    if (!owner) return ctx.discard(`owner ${report.ownerId} of report ${reportId} no longer exists`);
    await services().mailer.send({
      to: owner.email,
      subject: 'Your report is ready',
      text: `Report ${reportId}: ${report.rows} signups.`,
      idempotencyKey: ctx.jobId,
    });
  },
});

/**
 * First link: builds the report (same id, same report: safe to re-run), then enqueues the notification. One report
 * per owner is built at a time, across every worker: a second one for the same owner is put off until the first ends.
 * A report asked for twice while the first is waiting or building is one job: the second enqueue is a duplicate.
 */
export const generateReport = defineJob({
  name: 'generate-report',
  schema: z.object({ reportId: z.string().min(1), ownerId: z.string().min(1) }),
  queue: 'default',
  timeout: '1m',
  concurrency: { limit: 1, key: ({ ownerId }) => ownerId },
  unique: { key: ({ reportId }) => reportId, until: 'finished' },
  async perform({ reportId, ownerId }) {
    const rows = services().users.all().length;
    services().reports.save({ id: reportId, ownerId, kind: 'signups', rows, generatedAtMs: Date.now() });
    await notifyReportOwner.performLater({ reportId });
    return { rows };
  },
});
