import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { type Clock, systemClock } from '../clock.js';
import { type DispatchOutcome, dispatch } from '../dispatch/dispatch.js';
import { deadLetterFromRaw } from '../engine/dead-letter.js';
import type { DeadLetterInfo, Envelope } from '../envelope/envelope.js';
import { errorMessage } from '../errors.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore } from '../store/types.js';
import { mapWithConcurrency } from '../transport/sqs/map-with-concurrency.js';
import type { OutgoingMessage, Transport } from '../transport/types.js';
import { type StreamEntry, streamEntryOf } from './stream-entry.js';

export interface OutboxRelayOptions {
  /** Where the jobs go: every queue (and lane) an outbox entry may name, and their dead-letter queues. */
  readonly transport: Transport;
  /**
   * Where jobs due beyond 15 minutes wait, as for an enqueue. When it fails a job, the job hops through SQS
   * instead (the relay holds a record it may pass only once the job is durable, and has no caller to tell).
   * @default none: such jobs hop through SQS every 15 minutes
   */
  readonly scheduler?: JobScheduler;
  /** The outbox of the job table: is an entry still to send, and clearing it once sent. */
  readonly outbox: Pick<JobStore, 'outboxPending' | 'clearOutbox'>;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default one JSON log line per outcome */
  readonly onEvent?: (event: OutboxRelayEvent) => void;
}

/** What the relay did with one record of the stream. */
export type OutboxRelayEvent =
  | {
      readonly type: 'outbox-sent';
      readonly jobId: string;
      readonly jobName: string;
      readonly queue: string;
      readonly via: 'queue' | 'scheduler';
    }
  /**
   * Nothing sent: the entry is gone (`not-pending`: sent before, and this record is a replay), a later record of
   * the same job id in this batch carries it (`superseded`), or the record is not an outbox entry's INSERT.
   */
  | {
      readonly type: 'outbox-skipped';
      readonly jobId?: string;
      readonly why: 'not-pending' | 'superseded' | 'not-an-entry';
    }
  /** A poison entry, written to its queue's dead-letter queue with the reason, then cleared. */
  | {
      readonly type: 'outbox-dead';
      readonly jobId: string;
      readonly queue: string;
      readonly reason: string;
      readonly message: string;
    }
  /** The record is reported as failed: Lambda retries it (and what follows it in its shard). */
  | {
      readonly type: 'outbox-failed';
      readonly jobId?: string;
      readonly sequence: string;
      readonly step: 'check' | 'send' | 'dead-letter' | 'clear';
      readonly message: string;
    };

/** DynamoDB calls in flight at once per batch (the pending checks, then the clears). */
const STORE_CONCURRENCY = 16;

/**
 * Relays one batch of the job table's stream (README "Enqueue after commit"). For each outbox entry a committed
 * transaction put: is it still pending (a replayed record whose entry was cleared sends nothing), then the send
 * (batched per queue, with its delay, or to the scheduler beyond 15 minutes, exactly as an enqueue), then the
 * clear. The job's id is the entry's: a record sent twice (a crash between the send and the clear) is one job to
 * an exactly-once worker.
 *
 * Never throws for a record: each one that could not be finished is named in `batchItemFailures` by its sequence
 * number, and Lambda retries from the first of them (records before it are done). A poison entry is not retried,
 * as no retry can make it readable: it goes to its queue's dead-letter queue with the reason, like a poison
 * message at a worker, then is cleared.
 */
export async function relayOutbox(
  options: OutboxRelayOptions,
  records: readonly DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const clock = options.clock ?? systemClock;
  const emit = options.onEvent ?? logRelayEvent;
  const failures = failureLog(emit);
  const live = latestPerJob(records.map(streamEntryOf), emit);
  const due = await stillPending(options, live, emit, failures.fail);
  const [sent, buried] = await Promise.all([
    send(options, clock, due.filter(isEntry), emit, failures.fail),
    bury(options, clock, due.filter(isPoison), emit, failures.fail),
  ]);
  await mapWithConcurrency([...sent, ...buried], STORE_CONCURRENCY, async (entry) => {
    try {
      await options.outbox.clearOutbox(entry.jobId);
    } catch (error) {
      // Sent, but the entry stays: the retried record sends it again under the same job id, then clears it.
      failures.fail(entry, 'clear', error);
    }
  });
  return { batchItemFailures: failures.sequences().map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The records that could not be finished, by sequence number, each told as an `outbox-failed` event. */
function failureLog(emit: (event: OutboxRelayEvent) => void): { fail: Fail; sequences(): string[] } {
  const failed = new Set<string>();
  return {
    fail(entry, step, error) {
      failed.add(entry.sequence);
      emit({
        type: 'outbox-failed',
        ...(entry.kind === 'other' ? {} : { jobId: entry.jobId }),
        sequence: entry.sequence,
        step,
        message: errorMessage(error),
      });
    },
    sequences: () => [...failed],
  };
}

/** The entries still in the table: a replayed record whose entry was cleared sends nothing. */
async function stillPending(
  options: OutboxRelayOptions,
  live: readonly (Entry | Poison)[],
  emit: (event: OutboxRelayEvent) => void,
  fail: Fail,
): Promise<(Entry | Poison)[]> {
  const pending = await mapWithConcurrency(live, STORE_CONCURRENCY, async (entry) => {
    try {
      if (await options.outbox.outboxPending(entry.jobId)) return true;
      emit({ type: 'outbox-skipped', jobId: entry.jobId, why: 'not-pending' });
    } catch (error) {
      fail(entry, 'check', error);
    }
    return false;
  });
  return live.filter((_, index) => pending[index]);
}

const isEntry = (e: StreamEntry): e is Entry => e.kind === 'entry';
const isPoison = (e: StreamEntry): e is Poison => e.kind === 'poison';

/**
 * The outbox entries of the batch, the last INSERT of each job id only. An entry can be put again for an id only
 * once the one before was cleared (the put is conditional), and the table is ahead of the stream: so an earlier
 * INSERT of the same id in the batch was relayed already, and only the last is the entry the table holds now.
 */
function latestPerJob(
  entries: readonly StreamEntry[],
  emit: (event: OutboxRelayEvent) => void,
): (Entry | Poison)[] {
  const last = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry.kind !== 'other') last.set(entry.jobId, index);
  });
  const live: (Entry | Poison)[] = [];
  entries.forEach((entry, index) => {
    if (entry.kind === 'other') emit({ type: 'outbox-skipped', why: 'not-an-entry' });
    else if (last.get(entry.jobId) !== index)
      emit({ type: 'outbox-skipped', jobId: entry.jobId, why: 'superseded' });
    else live.push(entry);
  });
  return live;
}

type Entry = Extract<StreamEntry, { kind: 'entry' }>;
type Poison = Extract<StreamEntry, { kind: 'poison' }>;
/** Reports a record as failed; `error` is what was thrown, or what went wrong when nothing threw. */
type Fail = (
  entry: StreamEntry,
  step: Extract<OutboxRelayEvent, { type: 'outbox-failed' }>['step'],
  error: unknown,
) => void;

/** Every entry in one dispatch: batched per queue, 10 to a SendMessageBatch. Returns the entries it sent. */
async function send(
  options: OutboxRelayOptions,
  clock: Clock,
  entries: readonly Entry[],
  emit: (event: OutboxRelayEvent) => void,
  fail: Fail,
): Promise<Entry[]> {
  if (entries.length === 0) return [];
  const now = clock.nowMs();
  // Sent now, not when the transaction was built: the envelope says when this message was sent.
  const items = entries.map((e) => ({
    queue: e.address,
    envelope: { ...e.envelope, enqueuedAtMs: now } as Envelope,
  }));
  let outcomes: DispatchOutcome[];
  try {
    outcomes = await dispatch(
      { transport: options.transport, clock, scheduler: options.scheduler },
      items,
      'hop',
    );
  } catch (error) {
    for (const entry of entries) fail(entry, 'send', error);
    return [];
  }
  const sent: Entry[] = [];
  entries.forEach((entry, index) => {
    const outcome = outcomes[index];
    if (!outcome?.ok) {
      fail(entry, 'send', outcome?.detail ?? 'no outcome');
      return;
    }
    sent.push(entry);
    emit({
      type: 'outbox-sent',
      jobId: entry.jobId,
      jobName: entry.envelope.job,
      queue: entry.address,
      via: outcome.via,
    });
  });
  return sent;
}

/** Each poison entry to its queue's dead-letter queue, as the worker writes a poison message's. */
async function bury(
  options: OutboxRelayOptions,
  clock: Clock,
  entries: readonly Poison[],
  emit: (event: OutboxRelayEvent) => void,
  fail: Fail,
): Promise<Poison[]> {
  const buried: Poison[] = [];
  for (const entry of entries) {
    const { address } = entry;
    if (!address) {
      // No queue to dead-letter to: failing the record hands it to the event source mapping's retries and its
      // on-failure destination, and the entry stays in the table until its TTL.
      fail(entry, 'dead-letter', `${entry.message}; it names no queue, so it has no dead-letter queue`);
      continue;
    }
    try {
      await options.transport.sendToDeadLetter(
        address,
        deadLetterOf(options.transport, clock, entry, address),
      );
      buried.push(entry);
      emit({
        type: 'outbox-dead',
        jobId: entry.jobId,
        queue: address,
        reason: entry.reason,
        message: entry.message,
      });
    } catch (error) {
      fail(entry, 'dead-letter', error);
    }
  }
  return buried;
}

function deadLetterOf(transport: Transport, clock: Clock, entry: Poison, address: string): OutgoingMessage {
  const now = clock.nowMs();
  const info: DeadLetterInfo = {
    reason: entry.reason,
    queue: address,
    attempts: 0,
    firstFailedAtMs: now,
    lastFailedAtMs: now,
    error: { name: 'OutboxEntryError', code: 'WHARF_BAD_ENVELOPE', message: entry.message },
  };
  const letter = deadLetterFromRaw(entry.body, info, {
    id: entry.jobId,
    ...(entry.job ? { job: entry.job } : {}),
  });
  if (kindOf(transport, address) !== 'fifo') return letter;
  // A FIFO dead-letter queue needs a group and a deduplication id; the stream record's sequence number is unique.
  return { ...letter, groupId: 'wharf-outbox', deduplicationId: `outbox:${entry.sequence}`.slice(0, 128) };
}

function kindOf(transport: Transport, address: string) {
  try {
    return transport.queueKind?.(address) ?? 'standard';
  } catch {
    return 'standard';
  }
}

/** CloudWatch Logs reads one JSON object per line; what needs a look goes to stderr. */
export function logRelayEvent(event: OutboxRelayEvent): void {
  const line = JSON.stringify({ wharf: event.type, ...event });
  if (event.type === 'outbox-failed' || event.type === 'outbox-dead') console.error(line);
  else console.log(line);
}
