import type { StandardSchemaV1 } from '@standard-schema/spec';
import {
  createRegistry,
  defineJob,
  type IdempotencyMode,
  type JobDefinition,
  type JobRegistry,
} from 'wharf-jobs';

export interface NoopPayload {
  readonly i: number;
}

/**
 * `{ i: number }`, checked by hand. The baseline's record handler makes the same check after JSON.parse, so
 * neither side pays for a schema library in the figures (the example app's worker, with zod, is measured apart).
 */
export const noopPayloadSchema: StandardSchemaV1<NoopPayload> = {
  '~standard': {
    version: 1,
    vendor: 'wharf-bench',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as { i?: unknown }).i === 'number'
        ? { value: value as NoopPayload }
        : { issues: [{ message: 'expected { i: number }' }] },
  },
};

export interface NoopJobs {
  readonly job: JobDefinition<typeof noopPayloadSchema>;
  readonly registry: JobRegistry;
}

/**
 * Flow control (or a unique key) a figure adds to the no-op job, set so that it never holds a job back: what is
 * measured is what the limit costs a job that passes it (a held-back job costs one deferral more: see the
 * README's cost table; a duplicate costs its producer one write and sends nothing).
 */
export type NoopFlow = 'concurrency' | 'throttle' | 'unique' | 'steps';

/** How many durable steps the `steps` figure's job runs (README "Durable steps"). */
export const NOOP_STEPS = 3;

/** The job every figure runs: does nothing, so what is measured is the library and its AWS calls. */
export function noopJobs(mode: IdempotencyMode, flow?: NoopFlow): NoopJobs {
  const job = defineJob({
    name: 'noop',
    schema: noopPayloadSchema,
    idempotency: mode,
    // Ten keys, so that a batch's records take slots of several items, as keyed limits do in use.
    ...(flow === 'concurrency'
      ? { concurrency: { limit: 1000, key: (p: NoopPayload) => `k${p.i % 10}` } }
      : {}),
    ...(flow === 'throttle' ? { throttle: { limit: 10_000, period: '1s', burst: 10_000 } } : {}),
    // A key per job: every enqueue takes its key (none is a duplicate), and the job gives it back when it ends.
    ...(flow === 'unique'
      ? { unique: { key: (p: NoopPayload) => `k${p.i}`, until: 'finished' as const } }
      : {}),
    perform:
      flow === 'steps'
        ? async (p, ctx) => {
            for (let k = 1; k <= NOOP_STEPS; k++) await ctx.step(`step-${k}`, () => ({ i: p.i, k }));
          }
        : () => undefined,
  });
  return { job, registry: createRegistry([job]) };
}
