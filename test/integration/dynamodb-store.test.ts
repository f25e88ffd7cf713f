import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { createJobTable } from '../../src/store/dynamodb/create-job-table';
import { createDynamoJobStore } from '../../src/store/dynamodb/dynamodb-store';
import { JOB_TABLE_SCHEMA } from '../../src/store/dynamodb/table-schema';
import { dynamoClient, uniqueName } from '../helpers/aws';
import { injectFault } from '../helpers/aws-faults';
import { claimedOf, claimInput, LEASE_MS, newJobId, succeedInput, T0 } from '../helpers/job-store';

/**
 * Once armed, lets the next UpdateItem reach DynamoDB and then loses its response with a transient error, so the
 * SDK retries a write that has already been applied (what a dropped connection or a 500 after commit does).
 */
function losingOneUpdateResponse() {
  const client = dynamoClient();
  const fault = { armed: false, sent: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      fault.sent++;
      const output = await next(args);
      if (!fault.armed) return output;
      fault.armed = false;
      throw Object.assign(new Error('socket hang up after the write was applied'), {
        name: 'TimeoutError',
        $metadata: {},
      });
    },
    // Inside the SDK's retry loop, so the retry sends the same request again.
    { step: 'deserialize', name: 'wharfTestLoseOneResponse' },
  );
  return { client, fault };
}

async function storeOnNewTable(client = dynamoClient()) {
  const tableName = uniqueName('jobs');
  await createJobTable(client, tableName);
  return { store: createDynamoJobStore({ client, tableName }), client, tableName };
}

describe('DynamoDB job store', () => {
  it('recognises its own claim when the SDK retried it after losing the response', async () => {
    const { client, fault } = losingOneUpdateResponse();
    const { store } = await storeOnNewTable(client);
    const jobId = newJobId();
    fault.armed = true;
    fault.sent = 0;
    const result = await store.claim(claimInput(jobId));
    expect(fault.sent).toBe(2);
    // Not `busy`: that would make the message wait out a lease nobody holds, then count a run that never happened.
    expect(result).toMatchObject({ kind: 'claimed', attempt: 1, fence: 1 });
    expect(await store.get(jobId, T0)).toMatchObject({ status: 'running', fence: 1, attempt: 1 });
  });

  it('treats a retried outcome write that had already landed as recorded, not as a lost lease', async () => {
    const { client, fault } = losingOneUpdateResponse();
    const { store } = await storeOnNewTable(client);
    const jobId = newJobId();
    const run = claimedOf(await store.claim(claimInput(jobId)));
    fault.armed = true;
    fault.sent = 0;
    await store.succeed(succeedInput(jobId, run.fence, { result: 'ok' }));
    expect(fault.sent).toBe(2);
    expect(await store.get(jobId, T0 + 1_000)).toMatchObject({ status: 'succeeded', result: 'ok' });
  });

  // Found by the soak (issue 12): a claim that landed while its answer was lost released the message, which then
  // found its own lease, waited for it to lapse, and ran as attempt 2: an attempt charged for a run that never was.
  it('recognises its own claim when the write landed and the caller saw an error, and claims at the same attempt', async () => {
    const { client, tableName } = await storeOnNewTable();
    const store = createDynamoJobStore({ client, tableName });
    const fault = injectFault(client, {
      mode: 'after',
      matches: (command) => command === 'UpdateItemCommand',
    });
    const jobId = newJobId();
    const result = await store.claim(claimInput(jobId));
    expect(fault.failed).toHaveLength(1);
    expect(result).toMatchObject({ kind: 'claimed', attempt: 1, fence: 1 });
    expect(await store.get(jobId, T0)).toMatchObject({ status: 'running', attempt: 1, fence: 1 });
  });

  it("rethrows a failed claim's error when the write did not land, or another claim's did", async () => {
    const { client, tableName } = await storeOnNewTable();
    const store = createDynamoJobStore({ client, tableName });
    const lost = newJobId();
    injectFault(client, { mode: 'before', matches: (command) => command === 'UpdateItemCommand' });
    await expect(store.claim(claimInput(lost))).rejects.toMatchObject({ name: expect.any(String) });
    expect(await store.get(lost, T0)).toBeUndefined();
  });

  // S27: the longest job id the client accepts, in 3-byte characters, is 1,536 bytes of key (2,048 allowed).
  it('keeps a 512-character multi-byte job id through claim, success, get and the status index', async () => {
    const { store } = await storeOnNewTable();
    const jobId = '✓'.repeat(512);
    const run = claimedOf(await store.claim(claimInput(jobId)));
    await store.fail({
      ...succeedInput(jobId, run.fence),
      status: 'retrying',
      error: { name: 'E', message: 'x' },
      failures: [],
      nextAttempt: 2,
    });
    expect((await store.list({ status: 'retrying' }, T0 + 1_000)).records.map((r) => r.jobId)).toContain(
      jobId,
    );
    const retry = claimedOf(await store.claim(claimInput(jobId, { attempt: 2, nowMs: T0 + 2_000 })));
    await store.succeed(succeedInput(jobId, retry.fence, { nowMs: T0 + 3_000 }));
    expect(await store.get(jobId, T0 + 3_000)).toMatchObject({ jobId, status: 'succeeded', attempt: 2 });
  });

  // The claim reads the crashed run's record from its first write's failed condition, then takes over with a
  // second write; a cancel landing between the two must win, or the retry `cancel` stops would run.
  it("does not take over a crashed run that was cancelled between the claim's two writes", async () => {
    const client = dynamoClient();
    const { store, tableName } = await storeOnNewTable(client);
    const canceller = createDynamoJobStore({ client: dynamoClient(), tableName });
    const jobId = newJobId();
    claimedOf(await store.claim(claimInput(jobId)));
    const lapsed = T0 + LEASE_MS;
    let cancelledBetween = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const failedCondition = (error as Error).name === 'ConditionalCheckFailedException';
          if (!cancelledBetween && context.commandName === 'UpdateItemCommand' && failedCondition) {
            cancelledBetween = true;
            await canceller.requestCancel({ jobId, nowMs: lapsed, expiresAtSec: T0 / 1000 + 86_400 });
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'wharfTestCancelBetweenClaimWrites' },
    );
    const result = await store.claim(claimInput(jobId, { attempt: 2, nowMs: lapsed }));
    expect(cancelledBetween).toBe(true);
    expect(result).toMatchObject({
      kind: 'cancelled',
      record: { status: 'running', fence: 1, cancelRequestedAtMs: lapsed },
    });
    expect(await store.get(jobId, lapsed)).toMatchObject({ status: 'running', fence: 1, attempt: 1 });
  });

  it('rethrows errors other than a failed condition unchanged, for the engine to classify', async () => {
    const store = createDynamoJobStore({ client: dynamoClient(), tableName: uniqueName('missing') });
    const jobId = newJobId();
    const key = 'send-digest/d-1';
    for (const operation of [
      () => store.claim(claimInput(jobId)),
      () => store.succeed(succeedInput(jobId, 1)),
      () => store.extendLease({ jobId, fence: 1, nowMs: T0, leaseExpiresAtMs: T0 + LEASE_MS }),
      () => store.progress(jobId, { done: 1 }, T0),
      () => store.get(jobId, T0),
      () => store.list({ status: 'dead' }, T0),
      () => store.list({}, T0),
      () => store.acquireUnique({ key, holder: jobId, nowMs: T0, lockExpiresAtMs: T0 + 1 }),
      () => store.releaseUnique({ key, holder: jobId, nowMs: T0 }),
      () =>
        store.pushDebounce({ key, token: 't', jobId, payload: {}, nowMs: T0, expiresAtSec: T0 / 1000 + 60 }),
      () => store.takeDebounce({ key, token: 't', jobId, waitMs: 1_000, nowMs: T0 }),
      () => store.requestCancel({ jobId, nowMs: T0, expiresAtSec: T0 / 1000 + 60 }),
      () =>
        store.recordSkipped({
          jobId,
          jobName: 'j',
          queue: 'q',
          status: 'expired',
          reason: 'r',
          createdAtMs: T0,
          nowMs: T0,
          expiresAtSec: T0 / 1000 + 60,
        }),
      () => store.outboxPending(jobId),
      () => store.clearOutbox(jobId),
    ]) {
      const error = await operation().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
      expect((error as { code?: unknown }).code).toBeUndefined();
    }
  });

  it('creates the job table as JOB_TABLE_SCHEMA describes it, and keeps an existing one', async () => {
    const { client, tableName } = await storeOnNewTable();
    await createJobTable(client, tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: JOB_TABLE_SCHEMA.statusIndex.name,
      KeySchema: [
        { AttributeName: 'statusShard', KeyType: 'HASH' },
        { AttributeName: 'updatedAtMs', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAtSec',
    });
  });

  it('keeps the DynamoDB SDK behind one module, and the table schema free of it for the CDK', () => {
    const root = join(import.meta.dirname, '../..');
    const importers = sourceFiles(join(root, 'src'))
      .filter((file) => /from '@aws-sdk\/client-dynamodb'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(importers).toEqual(['src/store/dynamodb/dynamodb-api.ts']);
    const schema = readFileSync(join(root, 'src/store/dynamodb/table-schema.ts'), 'utf8');
    expect(schema).not.toMatch(/^import /m);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}
