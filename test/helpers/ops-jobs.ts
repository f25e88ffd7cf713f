import { z } from 'zod';
import { defineJob } from '../../src/index';

/**
 * A job for the ops tests: exactly-once, one attempt (so a failure dead-letters at once, without backoff waits),
 * failing while `shipping.broken` is set, counting its effects per job id, with a card number to redact, and a
 * schema that "new code" can stop accepting (`shipping.schemaChanged`).
 */
export const shipping = {
  broken: true,
  schemaChanged: false,
  effects: new Map<string, number>(),
  reset() {
    this.broken = true;
    this.schemaChanged = false;
    this.effects.clear();
  },
  effectsOf(jobId: string): number {
    return this.effects.get(jobId) ?? 0;
  },
};

export const shipOrder = defineJob({
  name: 'ship-order',
  schema: z
    .object({ orderId: z.string(), card: z.object({ number: z.string() }).optional() })
    .refine(() => !shipping.schemaChanged, {
      message: 'orderId must now be a number (ship-order v2)',
      path: ['orderId'],
    }),
  idempotency: 'exactly-once',
  retry: { attempts: 1 },
  redact: ['card.number'],
  perform: ({ orderId }, ctx) => {
    if (shipping.broken) throw new Error(`warehouse refused order ${orderId}`);
    shipping.effects.set(ctx.jobId, shipping.effectsOf(ctx.jobId) + 1);
  },
});
