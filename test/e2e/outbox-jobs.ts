import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';

/**
 * The outbox end-to-end app's one job: tracked (at-least-once), so a job the relay sent twice would run twice;
 * its id is the order's, so the job record (job#<id>) says whether and how often it ran.
 */
export const confirmOrder = defineJob({
  name: 'confirm-order',
  schema: z.object({ orderId: z.string() }),
  jobId: (p) => p.orderId,
  idempotency: 'tracked',
  perform: ({ orderId }) => ({ confirmed: orderId }),
});

export const outboxRegistry = createRegistry([confirmOrder]);
