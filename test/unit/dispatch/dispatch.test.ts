import { describe, expect, it } from 'vitest';
import { type DispatchItem, dispatch, type SchedulerFailurePolicy } from '../../../src/dispatch/dispatch';
import { SCHEDULER_MIN_DELAY_MS } from '../../../src/dispatch/route';
import { ENVELOPE_VERSION, type Envelope } from '../../../src/envelope/envelope';
import { SchedulerError } from '../../../src/errors';
import { createManualClock } from '../../../src/local/manual-clock';
import { createMemoryScheduler } from '../../../src/schedule/memory-scheduler';
import type { JobScheduler } from '../../../src/schedule/types';
import { createMemoryTransport } from '../../../src/transport/memory';

const HOUR = 3_600_000;

function world(options: { refuse?: boolean; accepts?: boolean } = {}) {
  const clock = createManualClock();
  const transport = createMemoryTransport({ clock, queues: ['default', 'reports'] });
  const memory = createMemoryScheduler({ transport, clock });
  const scheduler: JobScheduler = {
    ...memory,
    accepts: (queue, bytes) => (options.accepts ?? true) && memory.accepts(queue, bytes),
    scheduleAt: async (s) => {
      if (options.refuse) throw new SchedulerError('CreateSchedule failed: ThrottlingException');
      return memory.scheduleAt(s);
    },
  };
  const item = (id: string, delayMs: number, queue = 'default'): DispatchItem => {
    const now = clock.nowMs();
    const envelope: Envelope = {
      v: ENVELOPE_VERSION,
      id,
      job: 'j',
      payload: {},
      attempt: 1,
      createdAtMs: now,
      enqueuedAtMs: now,
      ...(delayMs > 0 ? { runAtMs: now + delayMs } : {}),
    };
    return { queue, envelope };
  };
  return { clock, transport, memory, scheduler, item };
}

describe('dispatch', () => {
  it('sends a job due within 15 minutes with SQS DelaySeconds, asking no scheduler', async () => {
    const w = world();
    const [outcome] = await dispatch(w, [w.item('near', SCHEDULER_MIN_DELAY_MS)], 'fail');
    expect(outcome).toMatchObject({ ok: true, via: 'queue' });
    expect(w.transport.stats('default').delayed + w.transport.stats('default').visible).toBe(1);
    expect(await w.memory.getJob('near')).toBeUndefined();
  });

  it('puts a job due beyond 15 minutes in a one-time schedule, and nothing on the queue', async () => {
    const w = world();
    const [outcome] = await dispatch(w, [w.item('far', 3 * HOUR)], 'fail');
    expect(outcome).toEqual({ ok: true, via: 'scheduler' });
    expect(w.transport.peek('default')).toHaveLength(0);
    expect(await w.memory.getJob('far')).toMatchObject({ kind: 'one-time', queue: 'default' });
  });

  it('hops a far job through SQS when there is no scheduler, carrying runAtMs', async () => {
    const w = world();
    const [outcome] = await dispatch(
      { transport: w.transport, clock: w.clock },
      [w.item('far', 3 * HOUR)],
      'fail',
    );
    expect(outcome).toMatchObject({ ok: true, via: 'queue' });
    const [message] = w.transport.peek('default');
    expect(JSON.parse(message!.body)).toMatchObject({ id: 'far', runAtMs: w.clock.nowMs() + 3 * HOUR });
  });

  it('hops a far job through SQS when the scheduler cannot hold it', async () => {
    const w = world({ accepts: false });
    const [outcome] = await dispatch(w, [w.item('far', 3 * HOUR)], 'fail');
    expect(outcome).toMatchObject({ ok: true, via: 'queue' });
    expect(await w.memory.getJob('far')).toBeUndefined();
  });

  it('under "fail", reports a Scheduler failure as not sent, with the error as its cause', async () => {
    const w = world({ refuse: true });
    const [outcome] = await dispatch(w, [w.item('far', 3 * HOUR)], 'fail');
    expect(outcome).toMatchObject({ ok: false, detail: expect.stringContaining('ThrottlingException') });
    expect(outcome?.ok === false && outcome.cause).toBeInstanceOf(SchedulerError);
    expect(w.transport.peek('default')).toHaveLength(0);
  });

  it('under "hop", sends the job through SQS instead when the scheduler fails, and says why', async () => {
    const w = world({ refuse: true });
    const [outcome] = await dispatch(w, [w.item('far', 3 * HOUR)], 'hop');
    expect(outcome).toMatchObject({ ok: true, via: 'queue', schedulerError: expect.any(SchedulerError) });
    const [message] = w.transport.peek('default');
    expect(JSON.parse(message!.body)).toMatchObject({ id: 'far', runAtMs: w.clock.nowMs() + 3 * HOUR });
  });

  it.each<SchedulerFailurePolicy>(['fail', 'hop'])(
    'under "%s", keeps input order across queues and routes, one outcome per item',
    async (policy) => {
      const w = world();
      const items = [w.item('a', 3 * HOUR), w.item('b', 0, 'reports'), w.item('c', 0), w.item('d', 2 * HOUR)];
      const outcomes = await dispatch(w, items, policy);
      expect(outcomes.map((o) => o.ok && o.via)).toEqual(['scheduler', 'queue', 'queue', 'scheduler']);
    },
  );

  it('reports a failed queue send per item, with the transport error as cause when the call threw', async () => {
    const w = world();
    w.transport.failNextSends(1);
    const refused = await dispatch(w, [w.item('x', 0), w.item('y', 0)], 'fail');
    expect(refused.map((o) => o.ok)).toEqual([false, true]);
    const broken = {
      ...w,
      transport: { ...w.transport, send: () => Promise.reject(new Error('socket hang up')) },
    };
    const [thrown] = await dispatch(broken, [w.item('z', 0)], 'hop');
    expect(thrown).toMatchObject({ ok: false, detail: 'TransportError: socket hang up' });
    expect(thrown?.ok === false && thrown.cause).toBeInstanceOf(Error);
  });
});
