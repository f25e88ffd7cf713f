import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ErrorSummary } from '../../src/envelope/envelope';
import { createJobTable } from '../../src/store/dynamodb/create-job-table';
import { createDynamoJobStore } from '../../src/store/dynamodb/dynamodb-store';
import type { Item } from '../../src/store/dynamodb/job-item';
import { jobKey } from '../../src/store/dynamodb/job-item';
import { totalWriteUnits, writeUnits } from '../../src/store/dynamodb/write-units';
import { createMemoryJobStore } from '../../src/store/memory-store';
import type { ClaimInput, ClaimResult, FailedInput, JobStore, SucceededInput } from '../../src/store/types';
import { countRequests, dynamoClient, RequestCounter, uniqueName } from './aws';

/** A fixed epoch for store tests: every store operation takes its time from arguments, never the wall clock. */
export const T0 = 1_750_000_000_000;
export const LEASE_MS = 30_000;
export const RETENTION_MS = 7 * 24 * 3_600_000;

export const expiresAtSecFrom = (nowMs: number) => Math.ceil((nowMs + RETENTION_MS) / 1000);

export interface StoreUnderTest {
  readonly store: JobStore;
  /** DynamoDB requests by command name; only for the DynamoDB adapter. */
  readonly counter?: RequestCounter;
  /** The stored item of a job as DynamoDB holds it, read outside the counter; only for the DynamoDB adapter. */
  readonly item?: (jobId: string) => Promise<Item | undefined>;
  /** Any stored item by its key (flow control's items too), read outside the counter; only for DynamoDB. */
  readonly itemAt?: (key: Item) => Promise<Item | undefined>;
  /** Another store on the same table and counted client: what a second process has (no hints of this one's). */
  readonly another?: () => JobStore;
  /** Puts an item as another writer would (a user's own transaction), outside the counter; only for DynamoDB. */
  readonly putItem?: (item: Item) => Promise<void>;
}

export interface StoreAdapter {
  readonly name: 'memory' | 'dynamodb';
  /** A new, empty store (the DynamoDB one on its own table on the moto server). */
  create(): Promise<StoreUnderTest>;
}

export const memoryAdapter: StoreAdapter = {
  name: 'memory',
  create: async () => ({ store: createMemoryJobStore() }),
};

export const dynamoAdapter: StoreAdapter = {
  name: 'dynamodb',
  async create() {
    const counter = new RequestCounter();
    const client = oneRequestAtATime(countRequests(dynamoClient(), counter));
    const tableName = uniqueName('jobs');
    await createJobTable(client, tableName);
    counter.reset();
    const reader = dynamoClient();
    const itemAt = async (key: Item) =>
      (await reader.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
    const item = (jobId: string) => itemAt(jobKey(jobId));
    const another = () => createDynamoJobStore({ client, tableName });
    const putItem = async (put: Item) =>
      void (await reader.send(new PutItemCommand({ TableName: tableName, Item: put })));
    return { store: createDynamoJobStore({ client, tableName }), counter, item, itemAt, another, putItem };
  },
};

/**
 * moto applies a write to an item without isolation: UpdateItem on a new key first stores the bare key, then runs
 * the update expression in place, and a concurrent request sees (and may pass its condition on) the half-written
 * item. Real DynamoDB serialises writes to an item. Sending one request at a time restores that guarantee and keeps
 * the races that matter to the store (two claimers that both read before either writes) intact.
 */
export function oneRequestAtATime<T extends ReturnType<typeof dynamoClient>>(client: T): T {
  let tail: Promise<unknown> = Promise.resolve();
  client.middlewareStack.add(
    (next) => async (args) => {
      const turn = tail.then(() => next(args));
      tail = turn.catch(() => undefined);
      return turn;
    },
    { step: 'initialize', name: 'wharfTestOneRequestAtATime' },
  );
  return client;
}

const WRITES = [
  'UpdateItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
];
const READS = [
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
];

/** The DynamoDB requests `action` made, as write and read counts. */
export async function requestsOf(counter: RequestCounter, action: () => Promise<unknown>) {
  counter.reset();
  await action();
  const sum = (commands: string[]) => commands.reduce((n, c) => n + counter.get(c), 0);
  return { writes: sum(WRITES), reads: sum(READS) };
}

/**
 * The write units DynamoDB bills for `action`, worked out from the item before and after it (moto's
 * ConsumedCapacity is a constant, see write-units.ts). Only defined for an action that makes exactly one write.
 */
export async function writeUnitsOf(
  sut: StoreUnderTest,
  jobId: string,
  action: () => Promise<unknown>,
): Promise<number> {
  const before = await sut.item!(jobId);
  const { writes } = await requestsOf(sut.counter!, action);
  if (writes !== 1) throw new Error(`writeUnitsOf models one write, the action made ${writes}`);
  return totalWriteUnits(writeUnits(before, await sut.item!(jobId)));
}

let sequence = 0;
export const newJobId = () => `job-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

export const anError: ErrorSummary = {
  name: 'SmtpError',
  message: 'connection timed out',
  code: 'ETIMEDOUT',
};

export function claimInput(jobId: string, overrides: Partial<ClaimInput> = {}): ClaimInput {
  const nowMs = overrides.nowMs ?? T0;
  return {
    jobId,
    jobName: 'sendWelcomeEmail',
    queue: 'default',
    attempt: 1,
    nowMs,
    leaseMs: LEASE_MS,
    isRedrive: false,
    expiresAtSec: expiresAtSecFrom(nowMs),
    ...overrides,
  };
}

export function succeedInput(
  jobId: string,
  fence: number | undefined,
  overrides: Partial<SucceededInput> = {},
): SucceededInput {
  const nowMs = overrides.nowMs ?? T0 + 1_000;
  return {
    jobId,
    fence,
    nowMs,
    jobName: 'sendWelcomeEmail',
    queue: 'default',
    attempt: 1,
    createdAtMs: T0 - 5_000,
    startedAtMs: T0,
    expiresAtSec: expiresAtSecFrom(nowMs),
    ...overrides,
  };
}

export function failInput(
  jobId: string,
  fence: number | undefined,
  status: FailedInput['status'],
  overrides: Partial<FailedInput> = {},
): FailedInput {
  const base = succeedInput(jobId, fence, overrides);
  return {
    ...base,
    status,
    error: anError,
    failures: [{ attempt: base.attempt, atMs: base.nowMs, error: anError }],
    ...(status === 'retrying' ? { nextAttempt: base.attempt + 1 } : {}),
    ...overrides,
  };
}

/** Narrows a claim to `claimed`, failing with what the store answered instead. */
export function claimedOf(result: ClaimResult) {
  if (result.kind !== 'claimed')
    throw new Error(`expected the claim to succeed, the store answered ${JSON.stringify(result)}`);
  return result;
}
