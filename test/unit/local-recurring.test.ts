import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { listSchedules, runRecurringNow } from '../../src/ops/schedules';
import { substituteContextAttributes } from '../../src/schedule/context-attributes';
import { defineRecurring, firingTemplate, type RecurringTask } from '../../src/schedule/define-recurring';

const iso = (ms: number) => new Date(ms).toISOString();

/** A job that records when (on the engine's clock) and as which job id it ran. */
function recordingJob(runs: { jobId: string; atMs: number }[], clock: () => ManualClock) {
  return defineJob({
    name: 'cleanup',
    queue: 'maintenance',
    idempotency: 'off',
    schema: z.object({ olderThanDays: z.number() }),
    perform: (_payload, ctx) => void runs.push({ jobId: ctx.jobId, atMs: clock().nowMs() }),
  });
}

describe('the embedded engine with recurring tasks', () => {
  let engine: LocalEngine | undefined;
  afterEach(() => engine?.close());

  function start(
    startIso: string,
    schedule: string,
    options: { environments?: string[]; environment?: string } = {},
  ) {
    const clock = createManualClock(Date.parse(startIso));
    const runs: { jobId: string; atMs: number }[] = [];
    const job = recordingJob(runs, () => clock);
    const task = defineRecurring({
      task: 'nightly-cleanup',
      job,
      payload: { olderThanDays: 30 },
      schedule,
      timeZone: 'Europe/Berlin',
      ...(options.environments ? { environments: options.environments } : {}),
    });
    const registry = createRegistry([job], { recurring: [task] });
    engine = createLocalEngine({
      registry,
      clock,
      ...(options.environment ? { environment: options.environment } : {}),
    });
    return { clock, runs, job, task, engine };
  }

  it('runs a nightly task at 02:00 local time three nights in a row', async () => {
    const { runs, engine } = start('2026-01-05T12:00:00Z', 'every day at 2am');
    await engine.runUntilIdle({ until: Date.parse('2026-01-08T03:00:00Z') });
    expect(runs.map((r) => [r.jobId, iso(r.atMs)])).toEqual([
      ['recurring:nightly-cleanup:2026-01-06T01:00:00Z', '2026-01-06T01:00:00.000Z'],
      ['recurring:nightly-cleanup:2026-01-07T01:00:00Z', '2026-01-07T01:00:00.000Z'],
      ['recurring:nightly-cleanup:2026-01-08T01:00:00Z', '2026-01-08T01:00:00.000Z'],
    ]);
  });

  it('skips 02:30 on the night Berlin springs forward, and keeps 02:30 local after it', async () => {
    const { runs, engine } = start('2026-03-27T12:00:00Z', 'every day at 2:30am');
    await engine.runUntilIdle({ until: Date.parse('2026-03-31T12:00:00Z') });
    expect(runs.map((r) => iso(r.atMs))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('stops when only recurring tasks are left, without moving the clock', async () => {
    const { clock, runs, engine } = start('2026-01-05T12:00:00Z', 'every day at 2am');
    const summary = await engine.runUntilIdle();
    expect(runs).toEqual([]);
    expect(summary.simulatedMs).toBe(0);
    expect(iso(clock.nowMs())).toBe('2026-01-05T12:00:00.000Z');
  });

  it('fires recurring tasks that fall due while other work is still waiting', async () => {
    const { runs, job, engine } = start('2026-01-05T12:00:00Z', 'every hour');
    await engine.client.enqueue(job.with({ olderThanDays: 1 }, { delay: '150m', jobId: 'later' }));
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.jobId, iso(r.atMs)])).toEqual([
      ['recurring:nightly-cleanup:2026-01-05T13:00:00Z', '2026-01-05T13:00:00.000Z'],
      ['recurring:nightly-cleanup:2026-01-05T14:00:00Z', '2026-01-05T14:00:00.000Z'],
      ['later', '2026-01-05T14:30:00.000Z'],
    ]);
  });

  it('runs a firing once when it is delivered twice, though the job itself does not deduplicate', async () => {
    const { runs, task, engine } = start('2026-01-05T12:00:00Z', 'every day at 2am');
    const firing = substituteContextAttributes(firingTemplate(task), {
      scheduledTimeMs: Date.parse('2026-01-05T01:00:00Z'),
      scheduleArn: 'memory',
      executionId: 'x',
      attemptNumber: 1,
    });
    expect(task.job.options.idempotency).toBe('off');
    await engine.transport.send('maintenance', [
      { body: firing, attributes: {}, delaySeconds: 0 },
      { body: firing.replace('"x"', '"y"'), attributes: {}, delaySeconds: 0 },
    ]);
    const summary = await engine.runUntilIdle();
    expect(runs.map((r) => r.jobId)).toEqual(['recurring:nightly-cleanup:2026-01-05T01:00:00Z']);
    expect(summary.byOutcome).toMatchObject({ succeeded: 1, duplicate: 1 });
  });

  it('fires a task limited to some environments only in those', async () => {
    const dev = start('2026-01-05T12:00:00Z', 'every day at 2am', { environments: ['production'] });
    await dev.engine.runUntilIdle({ until: Date.parse('2026-01-07T00:00:00Z') });
    expect(dev.runs).toEqual([]);
    dev.engine.close();
    const prod = start('2026-01-05T12:00:00Z', 'every day at 2am', {
      environments: ['production'],
      environment: 'production',
    });
    await prod.engine.runUntilIdle({ until: Date.parse('2026-01-07T00:00:00Z') });
    expect(prod.runs).toHaveLength(1);
  });

  it('runs a task at once with a job id of its own, without taking the place of the scheduled firing', async () => {
    const { clock, runs, engine } = start('2026-01-06T00:59:00Z', 'every day at 2am');
    const now = await runRecurringNow(
      { scheduler: engine.scheduler, transport: engine.transport, clock },
      'nightly-cleanup',
    );
    expect(now.jobId).toMatch(/^recurring:nightly-cleanup:manual:2026-01-06T00:59:00\.000Z-[0-9a-f]{8}$/);
    await engine.runUntilIdle({ until: Date.parse('2026-01-06T01:00:00Z') });
    expect(runs.map((r) => r.jobId)).toEqual([now.jobId, 'recurring:nightly-cleanup:2026-01-06T01:00:00Z']);
    await expect(
      runRecurringNow({ scheduler: engine.scheduler, transport: engine.transport, clock }, 'missing'),
    ).rejects.toMatchObject({ code: 'WHARF_NOT_FOUND' });
  });

  it('lists recurring and waiting schedules with their next runs, soonest first', async () => {
    const { clock, job, engine } = start('2026-01-05T12:00:00Z', 'every day at 2am');
    await engine.client.enqueue(job.with({ olderThanDays: 1 }, { delay: '2h', jobId: 'soon' }));
    const views = await listSchedules({ scheduler: engine.scheduler, clock, nextRuns: 2 });
    expect(views).toEqual([
      expect.objectContaining({
        name: 'soon',
        kind: 'one-time',
        scheduleName: 'job.soon',
        job: 'cleanup',
        jobId: 'soon',
        attempt: 1,
        queue: 'maintenance',
        expression: 'at(2026-01-05T14:00:00)',
        nextRunsMs: [Date.parse('2026-01-05T14:00:00Z')],
      }),
      expect.objectContaining({
        name: 'nightly-cleanup',
        kind: 'recurring',
        scheduleName: 'recurring.nightly-cleanup',
        task: 'nightly-cleanup',
        job: 'cleanup',
        expression: 'cron(0 2 * * ? *)',
        timezone: 'Europe/Berlin',
        enabled: true,
        nextRunsMs: [Date.parse('2026-01-06T01:00:00Z'), Date.parse('2026-01-07T01:00:00Z')],
      }),
    ]);
  });
});

describe('recurring tasks created at run time', () => {
  it('fire like declared ones, stop when deleted, and may not take the key of a declared one', async () => {
    const clock = createManualClock(Date.parse('2026-01-05T12:00:00Z'));
    const runs: { jobId: string; atMs: number }[] = [];
    const job = recordingJob(runs, () => clock);
    const declared = defineRecurring({
      task: 'declared',
      job,
      payload: { olderThanDays: 1 },
      schedule: 'every day at 3am',
    });
    const engine = createLocalEngine({
      registry: createRegistry([job], { recurring: [declared] }),
      clock,
      recurring: false,
    });
    try {
      const reminder: RecurringTask = defineRecurring({
        task: 'reminder:u1',
        job,
        payload: { olderThanDays: 7 },
        schedule: 'every 30 minutes',
      });
      expect(await engine.client.upsertRecurring(reminder)).toBe('created');
      await engine.runUntilIdle({ until: Date.parse('2026-01-05T13:00:00Z') });
      expect(await engine.client.deleteRecurring('reminder:u1')).toBe(true);
      await engine.runUntilIdle({ until: Date.parse('2026-01-05T15:00:00Z') });
      expect(runs.map((r) => r.jobId)).toEqual([
        'recurring:reminder:u1:2026-01-05T12:30:00Z',
        'recurring:reminder:u1:2026-01-05T13:00:00Z',
      ]);
      await expect(engine.client.upsertRecurring(declared)).rejects.toThrow(/declared in code/);
      expect(
        await engine.client.upsertRecurring(defineRecurring({ ...reminderOptions(job), enabled: false })),
      ).toBe('deleted');
    } finally {
      engine.close();
    }
  });
});

function reminderOptions(job: ReturnType<typeof recordingJob>) {
  return { task: 'reminder:u2', job, payload: { olderThanDays: 1 }, schedule: 'every hour' };
}
