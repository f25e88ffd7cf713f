import type { Clock } from '../clock.js';
import { ConfigError, InvalidOptionsError, InvalidPayloadError } from '../errors.js';
import type { LaneMap } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { producerTrace, type TraceHeaderSource } from '../observe/trace-header.js';
import { OUTBOX_ATTRIBUTES, OUTBOX_RETENTION_SEC, outboxKey } from '../store/dynamodb/outbox-item.js';
import type { Transport } from '../transport/types.js';
import { prepareOrReject } from './enqueue-rejection.js';
import type { PreparedJob } from './prepare.js';
import { queueKindOf } from './queue-fit.js';
import type {
  EnqueueRequest,
  OutboxAttributeValue,
  OutboxTransactItem,
  TransactItemsOptions,
  WharfClient,
} from './types.js';

export interface OutboxDeps {
  readonly clock: Clock;
  readonly registry?: JobRegistry;
  /** The job table the outbox entries go to; without it `transactItems` throws ConfigError. */
  readonly outboxTable?: string;
  /** Validation as at enqueue: the lanes a `priority` may name, and which queues are FIFO. */
  readonly lanes?: LaneMap;
  /** Where the enqueueing request's trace comes from (ClientOptions.traceHeader). */
  readonly traceHeader?: TraceHeaderSource;
  readonly transport?: Transport;
}

/** DynamoDB's own limits on one TransactWriteItems call (100 items, 4 MB) and one item (400 KB). */
export const TRANSACTION_LIMITS = { maxItems: 100, maxItemBytes: 409_600, maxBytes: 4_194_304 };

/**
 * Only when no entry for the job id waits yet: a second put would replace the first before the relay read it
 * (its stream record would be a MODIFY, which the relay does not take), and one of the two would be lost without
 * a word. The caller's transaction fails instead, with the entry's key named in its cancellation reasons.
 */
const ONLY_IF_ABSENT = `attribute_not_exists(${OUTBOX_ATTRIBUTES.key})`;

/**
 * `client.transactItems` (README "Enqueue after commit"): each request validated exactly as an enqueue is
 * (the same error for the same problem), then written as an outbox entry of the job table, for the caller to put
 * in its own TransactWriteItems. Nothing is sent now: the relay sends each entry once the transaction commits.
 */
/** Either format: the overloads of `transactItems` give the caller the one it asked for. */
type AnyOutboxItem = OutboxTransactItem<OutboxAttributeValue | string | number>;

export function transactItemsMethod(deps: OutboxDeps): WharfClient['transactItems'] {
  const method = async (
    requests: EnqueueRequest | readonly EnqueueRequest[],
    options: TransactItemsOptions = {},
  ): Promise<AnyOutboxItem[]> => {
    const list: readonly EnqueueRequest[] = isList(requests) ? requests : [requests];
    const table = deps.outboxTable;
    if (!table) {
      throw new ConfigError(
        'transactItems needs a job table whose outbox is relayed: deploy WharfJobs with `outbox: true`, which sets WHARF_OUTBOX=1 beside WHARF_TABLE_NAME for createAwsRuntime (`wharf env` prints both); createClient takes `outboxTable`. Without a relay the entries would never be sent.',
      );
    }
    refuseDecidedAtEnqueue(list);
    const queueKind = deps.transport ? (queue: string) => queueKindOf(deps.transport!, queue) : undefined;
    const jobs = await prepareOrReject(
      list,
      deps.clock,
      deps.registry,
      list.length > 1,
      deps.lanes ?? {},
      queueKind,
      producerTrace(deps.traceHeader),
    );
    refuseRepeatedIds(jobs);
    const format = options.format ?? 'low-level';
    const expiresAtSec = Math.ceil(deps.clock.nowMs() / 1000) + OUTBOX_RETENTION_SEC;
    const items = jobs.map((job) => outboxItem(table, job, expiresAtSec, format));
    refuseOversize(items, jobs);
    return items;
  };
  return method as WharfClient['transactItems'];
}

function isList(requests: EnqueueRequest | readonly EnqueueRequest[]): requests is readonly EnqueueRequest[] {
  return Array.isArray(requests);
}

/**
 * A unique key or a debounced burst is decided when the job is enqueued (a conditional write, then the send),
 * but an outbox entry is only a job once the caller's transaction commits: by then the decision would be stale,
 * and its lock would have been taken for a transaction that may never commit. Refused, with what to do instead.
 */
function refuseDecidedAtEnqueue(requests: readonly EnqueueRequest[]): void {
  const problems: string[] = [];
  requests.forEach(({ job }, index) => {
    const control = job.options.enqueue;
    const which = [control.unique ? '`unique`' : undefined, control.debounce ? '`debounce`' : undefined]
      .filter(Boolean)
      .join(' and ');
    if (!which) return;
    const prefix = requests.length > 1 ? `#${index} ${job.name}: ` : '';
    problems.push(
      `${prefix}job "${job.name}" has ${which}, which is decided at enqueue, not at commit: an outbox entry cannot hold it. Enqueue it with performLater after the commit, or give the outbox a job without it (a \`jobId\` from your own row's id makes a replay the same job)`,
    );
  });
  if (problems.length > 0) throw new InvalidOptionsError(subjectOf(requests), problems);
}

/** One item twice in one transaction is refused by DynamoDB with a ValidationException that names neither. */
function refuseRepeatedIds(jobs: readonly PreparedJob[]): void {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  jobs.forEach((job, index) => {
    const first = seen.get(job.jobId);
    if (first === undefined) seen.set(job.jobId, index);
    else
      problems.push(
        `#${index} ${job.jobName}: job id "${job.jobId}" is also #${first}'s; one transaction can put a job in the outbox once (DynamoDB refuses two writes of one item in a transaction)`,
      );
  });
  if (problems.length > 0)
    throw new InvalidOptionsError(`transactItems of ${jobs.length} jobs (nothing was built)`, problems);
}

/**
 * What an enqueue would accept may still not fit an item (400 KB, where a message takes 1 MiB) or a transaction
 * (100 items, 4 MB): said here, with the fix, rather than by DynamoDB when the caller's own transaction fails.
 */
function refuseOversize(items: readonly AnyOutboxItem[], jobs: readonly PreparedJob[]): void {
  const problems: string[] = [];
  if (items.length > TRANSACTION_LIMITS.maxItems) {
    problems.push(
      `${items.length} jobs: a DynamoDB transaction holds at most ${TRANSACTION_LIMITS.maxItems} items, your own writes included`,
    );
  }
  let total = 0;
  items.forEach((item, index) => {
    const bytes = itemBytes(item);
    total += bytes;
    if (bytes > TRANSACTION_LIMITS.maxItemBytes) {
      const job = jobs[index]!;
      problems.push(
        `${items.length > 1 ? `#${index} ${job.jobName}: ` : ''}payload is too large for the outbox: its entry would be ${bytes} bytes, and a DynamoDB item holds at most ${TRANSACTION_LIMITS.maxItemBytes}. Pass an id and load the data in the job`,
      );
    }
  });
  if (total > TRANSACTION_LIMITS.maxBytes) {
    problems.push(
      `the entries come to ${total} bytes: a DynamoDB transaction holds at most ${TRANSACTION_LIMITS.maxBytes}, your own writes included`,
    );
  }
  if (problems.length > 0) {
    const first = jobs[0]!;
    throw new InvalidPayloadError(
      first.jobName,
      problems,
      jobs.length > 1 ? `transactItems of ${jobs.length} jobs` : undefined,
    );
  }
}

/** DynamoDB's item size: each attribute's name and value in UTF-8 (a number counts at most 21 bytes). */
function itemBytes(item: AnyOutboxItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item.Put.Item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    const plain = typeof value === 'object' ? ('S' in value ? value.S : Number(value.N)) : value;
    bytes += typeof plain === 'string' ? Buffer.byteLength(plain, 'utf8') : 21;
  }
  return bytes;
}

/**
 * The entry keeps the envelope itself (with `runAtMs`), not the queue message: a message's delay is counted from
 * now, and the relay sends later, so it works the delay out again when it sends (or schedules a far job).
 */
function outboxItem(
  table: string,
  job: PreparedJob,
  expiresAtSec: number,
  format: NonNullable<TransactItemsOptions['format']>,
): AnyOutboxItem {
  const a = OUTBOX_ATTRIBUTES;
  const values = {
    [a.key]: outboxKey(job.jobId),
    [a.jobId]: job.jobId,
    [a.address]: job.address,
    [a.body]: JSON.stringify(job.envelope),
    [a.runAtMs]: job.runAtMs,
    [a.expiresAtSec]: expiresAtSec,
  };
  const item =
    format === 'document'
      ? values
      : Object.fromEntries(
          Object.entries(values).map(([name, value]) => [
            name,
            typeof value === 'number' ? { N: String(value) } : { S: value },
          ]),
        );
  return { Put: { TableName: table, Item: item, ConditionExpression: ONLY_IF_ABSENT } };
}

function subjectOf(requests: readonly EnqueueRequest[]): string {
  return requests.length > 1
    ? `transactItems of ${requests.length} jobs (nothing was built)`
    : `transactItems of "${requests[0]?.job.name ?? ''}"`;
}
