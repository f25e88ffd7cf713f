import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createEngine } from '../../src/engine/engine';
import type { JobEvent } from '../../src/engine/events';
import { RetryAfterError, SchedulerError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import type { IdempotencyMode } from '../../src/job/types';
import { createManualClock } from '../../src/local/manual-clock';
import { substituteContextAttributes } from '../../src/schedule/context-attributes';
import { defineRecurring, firingTemplate } from '../../src/schedule/define-recurring';
import type { JobScheduler } from '../../src/schedule/types';
import { createMemoryJobStore } from '../../src/store/memory-store';
import { createMemoryTransport } from '../../src/transport/memory';

const receive = { maxMessages: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30 };

describe('the engine and schedules', () => {
  it.each<IdempotencyMode>(['off', 'tracked'])(
    'runs one firing of a recurring task once, even for a job in "%s" mode',
    async (idempotency) => {
      const clock = createManualClock();
      const transport = createMemoryTransport({ clock, queues: ['default'] });
      const store = createMemoryJobStore();
      let runs = 0;
      const job = defineJob({ name: 'tick', schema: z.object({}), idempotency, perform: () => void runs++ });
      const task = defineRecurring({ task: 'tick-task', job, schedule: 'every hour' });
      const events: JobEvent[] = [];
      const engine = createEngine({
        registry: createRegistry([job]),
        transport,
        store,
        clock,
        onEvent: (e) => events.push(e),
      });
      const firing = (executionId: string) =>
        substituteContextAttributes(firingTemplate(task), {
          scheduledTimeMs: clock.nowMs(),
          scheduleArn: 'arn',
          executionId,
          attemptNumber: 1,
        });
      await transport.send('default', [
        { body: firing('first'), attributes: {}, delaySeconds: 0 },
        { body: firing('retry-of-a-call-that-had-succeeded'), attributes: {}, delaySeconds: 0 },
      ]);
      for (const message of await transport.receive('default', receive)) await engine.process(message);
      expect(runs).toBe(1);
      expect(events.map((e) => e.type).filter((t) => t !== 'started')).toEqual(['succeeded', 'duplicate']);
      const jobId = `recurring:tick-task:${new Date(clock.nowMs()).toISOString().replace('.000Z', 'Z')}`;
      expect(await store.get(jobId, clock.nowMs())).toMatchObject({ status: 'succeeded', fence: 1 });
    },
  );

  it('sends a long retry as an SQS hop when the scheduler refuses it: nothing is lost', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const refusing: JobScheduler = {
      accepts: () => true,
      scheduleAt: async () => {
        throw new SchedulerError('AccessDeniedException: not allowed');
      },
    } as unknown as JobScheduler;
    const job = defineJob({
      name: 'flaky',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => {
        throw new RetryAfterError(3_600_000);
      },
    });
    const engine = createEngine({ registry: createRegistry([job]), transport, scheduler: refusing, clock });
    await transport.send('default', [
      {
        body: JSON.stringify({
          v: 1,
          id: 'j1',
          job: 'flaky',
          payload: {},
          attempt: 1,
          createdAtMs: 0,
          enqueuedAtMs: 0,
        }),
        attributes: {},
        delaySeconds: 0,
      },
    ]);
    const [message] = await transport.receive('default', receive);
    expect(await engine.process(message!)).toEqual({ action: 'ack', outcome: 'retry-scheduled' });
    await transport.ack('default', [message!.receiptHandle]);
    const [retry] = transport.peek('default');
    expect(JSON.parse(retry!.body)).toMatchObject({
      id: 'j1',
      attempt: 2,
      runAtMs: clock.nowMs() + 3_600_000,
    });
  });
});
