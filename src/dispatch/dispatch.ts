import type { Clock } from '../clock.js';
import type { Envelope } from '../envelope/envelope.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { errorMessage } from '../errors.js';
import type { JobScheduler } from '../schedule/types.js';
import { mapWithConcurrency } from '../transport/sqs/map-with-concurrency.js';
import type { OutgoingMessage, Transport } from '../transport/types.js';
import { routeOf } from './route.js';

/**
 * What to do when the scheduler fails a job that should wait in a schedule (throttled, not allowed, down).
 * There is no single right answer, so each caller states its own:
 * - `fail`: report the job as not sent. The producer does this: its caller is there to hear it, can retry or
 *   give up, and a job the producer believes scheduled must be cancellable, which an SQS hop is not.
 * - `hop`: send it through SQS instead (re-delayed every 15 minutes until due). The engine does this for retries
 *   and deferrals: it holds a message it may ack only once the copy is durable, and has no one to ask, so a copy
 *   that costs a few extra receives beats a message released to be redelivered (and re-run) early.
 */
export type SchedulerFailurePolicy = 'fail' | 'hop';

/** What dispatch needs: the engine's resolved options and the client's dependencies both have this shape. */
export interface DispatchPorts {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly scheduler?: JobScheduler;
}

export interface DispatchItem {
  readonly queue: string;
  readonly envelope: Envelope;
  /** The message already encoded (the client has it); built from the envelope when absent. */
  readonly message?: OutgoingMessage;
}

export type DispatchOutcome =
  | {
      readonly ok: true;
      readonly via: 'queue' | 'scheduler';
      readonly messageId?: string;
      /** Under `hop`: the scheduler's error, when the job went through SQS because the scheduler failed. */
      readonly schedulerError?: unknown;
    }
  | { readonly ok: false; readonly detail: string; readonly cause?: unknown };

/** Scheduler has no batch call: one CreateSchedule per job, this many at a time. */
const SCHEDULE_CONCURRENCY = 10;

/**
 * Sends each item the way it must wait (see `routeOf`): queue-bound ones in batches per queue, the rest one
 * schedule each. Never throws: one outcome per item, in input order.
 */
export async function dispatch(
  ports: DispatchPorts,
  items: readonly DispatchItem[],
  onSchedulerFailure: SchedulerFailurePolicy,
): Promise<DispatchOutcome[]> {
  const now = ports.clock.nowMs();
  const outcomes: DispatchOutcome[] = new Array(items.length);
  const scheduled: number[] = [];
  const queued: number[] = [];
  for (const [index, item] of items.entries())
    (routeOf(item.envelope, item.queue, now, ports.scheduler) === 'scheduler' ? scheduled : queued).push(
      index,
    );
  const hops: number[] = [];
  const schedulerErrors = new Map<number, unknown>();
  const schedules = mapWithConcurrency(scheduled, SCHEDULE_CONCURRENCY, async (index) => {
    try {
      await scheduleEnvelope(ports.scheduler!, items[index]!);
      outcomes[index] = { ok: true, via: 'scheduler' };
    } catch (error) {
      if (onSchedulerFailure === 'fail')
        outcomes[index] = { ok: false, detail: errorMessage(error), cause: error };
      else {
        hops.push(index);
        schedulerErrors.set(index, error);
      }
    }
  });
  const [sent] = await Promise.all([sendByQueue(ports, items, queued), schedules]);
  queued.forEach((index, k) => {
    outcomes[index] = sent[k]!;
  });
  // The hops wait for the scheduler's answers: only a failed schedule becomes one.
  const hopped = hops.length > 0 ? await sendByQueue(ports, items, hops) : [];
  hops.forEach((index, k) => {
    const outcome = hopped[k]!;
    outcomes[index] = outcome.ok ? { ...outcome, schedulerError: schedulerErrors.get(index) } : outcome;
  });
  return outcomes;
}

/** The one-time schedule that delivers the envelope (which keeps its runAtMs) to its queue at its time. */
function scheduleEnvelope(scheduler: JobScheduler, item: DispatchItem) {
  return scheduler.scheduleAt({
    jobId: item.envelope.id,
    attempt: item.envelope.attempt,
    jobName: item.envelope.job,
    queue: item.queue,
    runAtMs: item.envelope.runAtMs!,
    body: JSON.stringify(item.envelope),
  });
}

/** One batch call per queue, all queues at once; outcomes in the order of `indexes`. */
async function sendByQueue(
  ports: DispatchPorts,
  items: readonly DispatchItem[],
  indexes: readonly number[],
): Promise<DispatchOutcome[]> {
  const now = ports.clock.nowMs();
  const byQueue = new Map<string, number[]>();
  indexes.forEach((index, k) => {
    const queue = items[index]!.queue;
    if (byQueue.has(queue)) byQueue.get(queue)!.push(k);
    else byQueue.set(queue, [k]);
  });
  const outcomes: DispatchOutcome[] = new Array(indexes.length);
  const calls = [...byQueue].map(async ([queue, positions]) => {
    const messages = positions.map((k) => {
      const item = items[indexes[k]!]!;
      return item.message ?? toOutgoing(item.envelope, now);
    });
    const sent = await sendOrFail(ports.transport, queue, messages);
    positions.forEach((k, j) => {
      const o = sent[j];
      outcomes[k] = o?.ok
        ? { ok: true, via: 'queue', messageId: o.messageId }
        : {
            ok: false,
            detail: o ? `${o.code}: ${o.message}` : 'no outcome',
            ...(o?.cause ? { cause: o.cause } : {}),
          };
    });
  });
  await Promise.all(calls);
  return outcomes;
}

type Sent =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly cause?: unknown };

async function sendOrFail(transport: Transport, queue: string, messages: OutgoingMessage[]): Promise<Sent[]> {
  try {
    return await transport.send(queue, messages);
  } catch (error) {
    const message = errorMessage(error);
    return messages.map(() => ({ ok: false as const, code: 'TransportError', message, cause: error }));
  }
}
