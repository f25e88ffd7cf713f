import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { JobMetrics } from '../../src/observe/job-metrics';
import { lifecycleLog } from '../../src/observe/lifecycle-log';
import { type JobLogger, jsonLinesLogger, type LogAttributes } from '../../src/observe/logger';
import { observabilityFromEnv } from '../../src/runtime/observability-from-env';
import { createMemoryTransport } from '../../src/transport/memory';
import { createWorker } from '../../src/worker/index';
import { emfDocuments, emfProblems, sumsByJob, valueCountsByJob } from '../helpers/emf-spec';

type Line = { level: string; message: string } & Record<string, unknown>;

/** A logger of Powertools' shape that keeps its lines, merged as Powertools merges them. */
function keptLogger(): JobLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: LogAttributes[]) =>
      void lines.push(Object.assign({ level, message }, ...extra));
  return { lines, debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

const base = { queue: 'default', jobName: 'j', jobId: 'id-1', attempt: 1, atMs: 1_000 } as const;
const error = { name: 'Error', message: 'boom' };

describe('JobMetrics', () => {
  it('tallies a flush into one EMF document per job type, with exactly the JobName and Queue dimensions', () => {
    const lines: string[] = [];
    const metrics = new JobMetrics({ write: (l) => lines.push(l), nowMs: () => 1_796_000_000_000 });
    metrics.record({ ...base, type: 'started', latencyMs: 12.4 });
    metrics.record({ ...base, type: 'succeeded', atMs: 1_040, durationMs: 40 });
    metrics.record({ ...base, jobId: 'id-2', type: 'started', latencyMs: 3 });
    metrics.record({ ...base, jobId: 'id-2', type: 'retrying', atMs: 1_025, delayMs: 1000, error });
    metrics.record({ ...base, jobName: 'k', queue: 'mail/high', type: 'duplicate' });
    metrics.record({ ...base, type: 'deferred', why: 'concurrency', delayMs: 5_000 });
    // A long delay's 15-minute hop is plumbing, not an outcome.
    metrics.record({ ...base, type: 'deferred', why: 'not-due', delayMs: 900_000 });
    // A message whose body could not be read has no job type.
    metrics.record({ queue: 'default', atMs: 1, type: 'dead', reason: 'malformed-body', error });
    metrics.flush();
    const docs = emfDocuments(lines.join('\n'));
    expect(docs.map(emfProblems)).toEqual([[], []]);
    expect(docs.map((d) => [d.JobName, d.Queue])).toEqual([
      ['j', 'default'],
      // A lane's address counts as its queue.
      ['k', 'mail'],
    ]);
    expect(docs[0]).toMatchObject({
      Succeeded: 1,
      Retried: 1,
      Deferred: 1,
      Duration: [40, 25],
      Latency: [12, 3],
      Attempts: 1,
      _aws: { Timestamp: 1_796_000_000_000, CloudWatchMetrics: [{ Dimensions: [['JobName', 'Queue']] }] },
    });
    expect(docs[0]).not.toHaveProperty('service');
    expect(docs[1]).toMatchObject({ Duplicate: 1 });
    // Forgotten once written: the next flush has nothing to say.
    metrics.flush();
    expect(lines).toHaveLength(2);
  });

  it('splits more than 99 values of a metric over documents, each within the EMF limit of 100', () => {
    const lines: string[] = [];
    const metrics = new JobMetrics({ write: (l) => lines.push(l) });
    for (let i = 0; i < 250; i++) {
      metrics.record({ ...base, jobId: `id-${i}`, type: 'started', latencyMs: i });
      metrics.record({ ...base, jobId: `id-${i}`, type: 'succeeded', durationMs: i });
    }
    metrics.flush();
    const docs = emfDocuments(lines.join('\n'));
    expect(docs).toHaveLength(3);
    for (const doc of docs) expect(emfProblems(doc)).toEqual([]);
    expect(sumsByJob(docs, 'Succeeded')).toEqual({ j: 250 });
    expect(valueCountsByJob(docs, 'Duration')).toEqual({ j: 250 });
    expect(valueCountsByJob(docs, 'Latency')).toEqual({ j: 250 });
  });

  it('a failing write loses the numbers, never the run', () => {
    const metrics = new JobMetrics({
      write: () => {
        throw new Error('stdout closed');
      },
    });
    metrics.record({ ...base, type: 'succeeded', durationMs: 1 });
    expect(() => metrics.flush()).not.toThrow();
  });
});

describe('lifecycleLog', () => {
  it('writes one line per event at its level, with the keys a search by job id needs', () => {
    const logger = keptLogger();
    const log = lifecycleLog(logger);
    const events: JobEvent[] = [
      { ...base, type: 'started', latencyMs: 5, trace: 'Root=1-abc;Sampled=1' },
      { ...base, type: 'retrying', delayMs: 30_000, error },
      { ...base, type: 'dead', reason: 'retries-exhausted', error },
      { ...base, type: 'deferred', why: 'throttle', delayMs: 2_500, key: 'acme' },
      { ...base, type: 'succeeded', durationMs: 12 },
      { ...base, type: 'progress', progress: { done: 1 } },
    ];
    for (const event of events) log(event);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'job started',
        wharf: 'started',
        latencyMs: 5,
        trace: 'Root=1-abc;Sampled=1',
      }),
      expect.objectContaining({
        level: 'WARN',
        message: 'job failed, retrying in 30 s: boom',
        delayMs: 30_000,
        error,
      }),
      expect.objectContaining({
        level: 'ERROR',
        message: 'job dead-lettered (retries-exhausted): boom',
        reason: 'retries-exhausted',
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'job deferred 2.5 s (throttle)',
        why: 'throttle',
        key: 'acme',
      }),
      expect.objectContaining({ level: 'INFO', message: 'job succeeded in 12 ms', durationMs: 12 }),
      expect.objectContaining({ level: 'DEBUG', wharf: 'progress' }),
    ]);
    for (const line of logger.lines)
      expect(line).toMatchObject({ jobName: 'j', jobId: 'id-1', attempt: 1, queue: 'default', atMs: 1_000 });
  });
});

describe('jsonLinesLogger', () => {
  it('writes JSON lines at or above its level, errors readable', () => {
    const lines: string[] = [];
    const logger = jsonLinesLogger({ level: 'WARN', write: (l) => lines.push(l) });
    logger.info('hidden');
    logger.warn('shown', { error: new Error('why') });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'WARN',
      message: 'shown',
      error: { name: 'Error', message: 'why' },
    });
  });
});

describe('ctx.logger', () => {
  it("stamps every line with the run's job name, id, attempt and queue, on the embedded engine", async () => {
    const logger = keptLogger();
    const job = defineJob({
      name: 'greeter',
      schema: z.object({ who: z.string() }),
      idempotency: 'off',
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
      perform: ({ who }, ctx) => {
        ctx.logger.info('hello', { who });
        if (ctx.attempt === 1) throw new Error('again');
      },
    });
    const engine = createLocalEngine({ registry: createRegistry([job]), clock: createManualClock(), logger });
    const { jobId } = await engine.client.enqueue(job.with({ who: 'ada' }));
    await engine.runUntilIdle();
    await engine.close();
    // lifecycleLogs is off by default on the embedded engine: only the job's own lines.
    expect(logger.lines).toEqual([
      {
        level: 'INFO',
        message: 'hello',
        jobName: 'greeter',
        jobId,
        attempt: 1,
        queue: 'default',
        who: 'ada',
      },
      {
        level: 'INFO',
        message: 'hello',
        jobName: 'greeter',
        jobId,
        attempt: 2,
        queue: 'default',
        who: 'ada',
      },
    ]);
  });
});

describe('observabilityFromEnv', () => {
  it('makes a Powertools Logger and metrics in the namespace the environment names', () => {
    const made = observabilityFromEnv({}, { WHARF_METRICS_NAMESPACE: 'Shop' });
    expect(made.ownLogger).toBeDefined();
    expect(made.metrics?.namespace).toBe('Shop');
  });

  it('turns metrics off with WHARF_METRICS=off or metrics: false, and keeps a logger it is given', () => {
    const logger = keptLogger();
    expect(observabilityFromEnv({ logger }, { WHARF_METRICS: 'off' })).toEqual({ logger });
    expect(observabilityFromEnv({ metrics: false }, {}).metrics).toBeUndefined();
  });

  it('refuses a log level Powertools does not know', () => {
    expect(() => observabilityFromEnv({ logLevel: 'LOUD' as never }, {})).toThrow(
      /logLevel must be one of DEBUG, INFO, WARN, ERROR, SILENT, not "LOUD"/,
    );
  });
});

describe('the worker process', () => {
  it('writes its metrics when it stops, without waiting for the next minute', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const job = defineJob({
      name: 'tick',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => undefined,
    });
    await createClient({ transport, clock }).enqueue(job.with({}));
    const lines: string[] = [];
    // The memory transport answers at once even when empty; pause like a long poll so an idle worker yields.
    const consumer = {
      ...transport,
      receive: async (...args: Parameters<typeof transport.receive>) => {
        const messages = await transport.receive(...args);
        if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return messages;
      },
    };
    const worker = createWorker({
      registry: createRegistry([job]),
      transport,
      consumer,
      clock,
      waitTimeSeconds: 0,
      metrics: new JobMetrics({ write: (l) => lines.push(l) }),
      onWarning: () => undefined,
    });
    const running = worker.run();
    for (let i = 0; i < 200 && transport.peek('default').length > 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    await worker.stop(1_000);
    await running;
    expect(sumsByJob(emfDocuments(lines.join('\n')), 'Succeeded')).toEqual({ tick: 1 });
  });
});

describe('runJob with a logger', () => {
  it("hands the job's ctx.logger lines to the test, stamped", async () => {
    const { runJob } = await import('../../src/testing/index');
    const logger = keptLogger();
    const job = defineJob({
      name: 'says-hi',
      schema: z.object({}),
      idempotency: 'off',
      perform: (_p, ctx) => ctx.logger.warn('hi', { extra: 1 }),
    });
    const run = await runJob(job, {}, { logger, jobId: 'j-1', attempt: 2 });
    expect(run.outcome).toBe('succeeded');
    expect(logger.lines).toEqual([
      {
        level: 'WARN',
        message: 'hi',
        jobName: 'says-hi',
        jobId: 'j-1',
        attempt: 2,
        queue: 'default',
        extra: 1,
      },
    ]);
  });
});
