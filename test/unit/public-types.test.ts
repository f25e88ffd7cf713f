import { describe, expectTypeOf, it } from 'vitest';
import {
  createRegistry,
  defineJob,
  type EnqueuedJob,
  type EnqueueRequest,
  type JobContext,
  type JobDefinition,
  type PayloadInput,
  type PayloadOutput,
} from 'wharf-jobs';
import { type CapturedJob, enableTestMode, type JobRun, type JobRunResult, runJob } from 'wharf-jobs/testing';
import { z } from 'zod';

// Type tests: `npm run typecheck` fails when a public type stops saying what users rely on. The runtime calls
// below never run; each `it` only holds its assertions.
const schema = z.object({
  orderId: z.string(),
  // Input and output differ: the producer may leave `copies` out, the job always sees a number.
  copies: z.number().int().default(1),
  placedAt: z.string().transform((s) => new Date(s)),
});

const printLabel = defineJob({
  name: 'print-label',
  schema,
  async perform(payload, ctx) {
    expectTypeOf(payload).toEqualTypeOf<{ orderId: string; copies: number; placedAt: Date }>();
    expectTypeOf(ctx).toEqualTypeOf<JobContext>();
    return { labels: payload.copies };
  },
});

describe('the public types', () => {
  it('types a payload as the schema input at enqueue and as its output in perform', () => {
    expectTypeOf<PayloadInput<typeof schema>>().toEqualTypeOf<{
      orderId: string;
      copies?: number | undefined;
      placedAt: string;
    }>();
    expectTypeOf<PayloadOutput<typeof schema>>().toEqualTypeOf<{
      orderId: string;
      copies: number;
      placedAt: Date;
    }>();
    expectTypeOf(printLabel.performLater).parameter(0).toEqualTypeOf<PayloadInput<typeof schema>>();
    expectTypeOf(printLabel.performLater).returns.resolves.toEqualTypeOf<EnqueuedJob>();
    expectTypeOf(printLabel.with).returns.toEqualTypeOf<EnqueueRequest>();
    // A Date where the schema wants a string is refused at compile time, as the schema refuses it at run time.
    expectTypeOf(printLabel.performLater).parameter(0).not.toExtend<{ orderId: string; placedAt: Date }>();
  });

  it("carries perform's result through performNow and runJob", () => {
    expectTypeOf(printLabel).toEqualTypeOf<JobDefinition<typeof schema, { labels: number }>>();
    expectTypeOf(printLabel.performNow).returns.resolves.toEqualTypeOf<{ labels: number }>();
    expectTypeOf(runJob(printLabel, { orderId: 'o1', placedAt: '2026-12-01' })).resolves.toEqualTypeOf<
      JobRun<{ labels: number }>
    >();
    expectTypeOf<JobRun<{ labels: number }>>().toExtend<JobRunResult<{ labels: number }>>();
  });

  it('types what test mode captured by the job it was asked about', () => {
    const jobs = enableTestMode();
    expectTypeOf(jobs.enqueued(printLabel)).toEqualTypeOf<
      readonly CapturedJob<PayloadInput<typeof schema>>[]
    >();
    expectTypeOf(jobs.enqueued()).toEqualTypeOf<readonly CapturedJob[]>();
    jobs.restore();
  });

  it('lets a registry hold jobs of different payload and result types', () => {
    const other = defineJob({ name: 'other', schema: z.object({ n: z.number() }), perform: () => 'done' });
    expectTypeOf(createRegistry).toBeCallableWith([printLabel, other]);
  });
});
