import { z } from 'zod';
import { defineJob } from '../../src/index';

// Jobs for the wharf-jobs/testing tests: thin jobs writing to in-memory fakes, as a user's app would have them.

export const START = new Date('2026-03-01T09:00:00.000Z');
export const HOUR = 3_600_000;

export const outbox: string[] = [];
export const gateway = { failuresLeft: 0, charges: [] as string[] };

/** Empties the fakes between tests. */
export function resetFakes(): void {
  outbox.length = 0;
  gateway.failuresLeft = 0;
  gateway.charges.length = 0;
}

export class GatewayDown extends Error {
  override name = 'GatewayDown';
}
export class CardExpired extends Error {
  override name = 'CardExpired';
}

export const sendWelcome = defineJob({
  name: 'sendWelcome',
  schema: z.object({
    userId: z.string(),
    locale: z.string().default('en'),
    tags: z.array(z.string()).optional(),
  }),
  perform: ({ userId, locale }) => {
    outbox.push(`welcome ${locale} ${userId}`);
    return { sentTo: userId };
  },
});

export const sendReminder = defineJob({
  name: 'sendReminder',
  schema: z.object({ userId: z.string() }),
  perform: ({ userId }) => void outbox.push(`reminder ${userId}`),
});

export const notifyOwner = defineJob({
  name: 'notifyOwner',
  schema: z.object({ reportId: z.string(), ownerId: z.string() }),
  perform: ({ reportId, ownerId }) => void outbox.push(`report ${reportId} ready for ${ownerId}`),
});

export const generateReport = defineJob({
  name: 'generateReport',
  queue: 'reports',
  schema: z.object({ reportId: z.string(), ownerId: z.string() }),
  perform: async ({ reportId, ownerId }) => {
    await notifyOwner.performLater({ reportId, ownerId });
    return { pages: 3 };
  },
});

export const echoForever = defineJob({
  name: 'echoForever',
  schema: z.object({ n: z.number() }),
  perform: async ({ n }) => void (await echoForever.performLater({ n: n + 1 })),
});

export const chargeCard = defineJob({
  name: 'chargeCard',
  schema: z.object({
    orderId: z.string(),
    scenario: z.enum(['normal', 'rate-limited', 'expired', 'cancelled', 'bug']).default('normal'),
  }),
  retry: {
    attempts: 3,
    backoff: { strategy: 'fixed', delay: '10s', jitter: 0.5 },
    retryOn: [GatewayDown],
    discardOn: ['CardExpired'],
  },
  perform: ({ orderId, scenario }, ctx) => {
    if (scenario === 'rate-limited') ctx.retryAfter('2m', 'rate limited');
    if (scenario === 'cancelled') ctx.discard('order was cancelled');
    if (scenario === 'expired') throw new CardExpired('card expired in 2025');
    if (scenario === 'bug') throw new TypeError('amount is undefined');
    if (gateway.failuresLeft > 0) {
      gateway.failuresLeft -= 1;
      throw new GatewayDown('payment gateway unavailable');
    }
    gateway.charges.push(orderId);
    return { charged: orderId, attempt: ctx.attempt, jobId: ctx.jobId };
  },
});

export const shipOrder = defineJob({
  name: 'shipOrder',
  schema: z.object({ orderId: z.string() }),
  idempotency: 'exactly-once',
  jobId: ({ orderId }) => orderId,
  perform: ({ orderId }) => void outbox.push(`shipped ${orderId}`),
});

export const importRows = defineJob({
  name: 'importRows',
  schema: z.object({ rows: z.number() }),
  perform: ({ rows }, ctx) => {
    for (let done = 1; done <= rows; done++) ctx.progress({ done, total: rows });
  },
});
