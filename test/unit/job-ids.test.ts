import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { InvalidOptionsError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock } from '../../src/local/manual-clock';
import { enableTestMode, type TestJobs } from '../../src/testing/index';

const ran: string[] = [];
const sendInvoice = defineJob({
  name: 'send-invoice',
  schema: z.object({ invoiceId: z.string() }),
  jobId: ({ invoiceId }) => invoiceId,
  perform: (_payload, ctx) => void ran.push(ctx.jobId),
});
const remind = defineJob({ name: 'remind', schema: z.object({}), perform: () => undefined });

// One id everywhere: the full `<job name>:<derived>` id is what performLater returns, what ctx.jobId says, what
// cancel and reschedule take, what test mode captures and what job.jobIdFor computes.
describe('job ids from a jobId function', () => {
  let engine: LocalEngine | undefined;
  let jobs: TestJobs | undefined;
  afterEach(() => {
    engine?.close();
    jobs?.restore();
    ran.length = 0;
  });
  const start = () => {
    engine = createLocalEngine({
      registry: createRegistry([sendInvoice, remind]),
      clock: createManualClock(),
      installAsDefault: true,
    });
    return engine;
  };

  it('are the job name and the derived id, returned by performLater and computed by jobIdFor', async () => {
    const { client } = start();
    const enqueued = await sendInvoice.performLater({ invoiceId: 'i1' }, { delay: '3d' });
    expect(enqueued.jobId).toBe('send-invoice:i1');
    expect(sendInvoice.jobIdFor({ invoiceId: 'i1' })).toBe('send-invoice:i1');
    expect(await client.cancel(sendInvoice.jobIdFor({ invoiceId: 'i1' }))).toEqual({
      outcome: 'cancelled',
      jobId: 'send-invoice:i1',
      where: 'schedule',
    });
  });

  it('cancel and reschedule take what performLater returned', async () => {
    const { client } = start();
    const first = await sendInvoice.performLater({ invoiceId: 'i1' }, { delay: '3d' });
    const second = await sendInvoice.performLater({ invoiceId: 'i2' }, { delay: '3d' });
    expect(await client.cancel(first)).toMatchObject({ outcome: 'cancelled', jobId: 'send-invoice:i1' });
    expect(await client.reschedule(second, { delay: '5m' })).toMatchObject({
      outcome: 'rescheduled',
      jobId: 'send-invoice:i2',
      via: 'queue',
    });
    await engine!.runUntilIdle();
    expect(ran).toEqual(['send-invoice:i2']);
  });

  it('given only what the jobId function returned, cancel finds nothing and names the id that was meant', async () => {
    const { client } = start();
    await sendInvoice.performLater({ invoiceId: 'i1' }, { delay: '3d' });
    const missed = await client.cancel('i1');
    expect(missed).toMatchObject({ outcome: 'not-cancelled', jobId: 'i1' });
    expect(missed.outcome === 'not-cancelled' && missed.reason).toMatch(
      /^no job has the id "i1"\. An id from a job's jobId function starts with the job's name: did you mean "send-invoice:i1"\? performLater returns the full id as jobId, and job.jobIdFor\(payload\) computes it$/,
    );
    const rescheduled = await client.reschedule('i1', { delay: '1h' });
    expect(rescheduled.outcome === 'not-scheduled' && rescheduled.reason).toMatch(
      /did you mean "send-invoice:i1"/,
    );
    // The schedule is still there: nothing was cancelled by the miss.
    expect(await client.cancel('send-invoice:i1')).toMatchObject({ outcome: 'cancelled' });
  });

  it('an explicit jobId option is used as given, with no prefix', async () => {
    const { client } = start();
    const enqueued = await sendInvoice.performLater(
      { invoiceId: 'i1' },
      { delay: '3d', jobId: 'invoice-i1' },
    );
    expect(enqueued.jobId).toBe('invoice-i1');
    expect(await client.cancel('invoice-i1')).toMatchObject({ outcome: 'cancelled' });
  });

  it('test mode captures the same full id', async () => {
    jobs = enableTestMode();
    const enqueued = await sendInvoice.performLater({ invoiceId: 'i1' });
    expect(jobs.enqueued(sendInvoice).map((job) => job.jobId)).toEqual([enqueued.jobId]);
    expect(enqueued.jobId).toBe(sendInvoice.jobIdFor({ invoiceId: 'i1' }));
  });

  it('jobIdFor explains that a job without a jobId function has random ids', () => {
    expect(() => remind.jobIdFor({})).toThrow(InvalidOptionsError);
    expect(() => remind.jobIdFor({})).toThrow(/no jobId function, so its ids are random/);
  });
});
