import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { ATTR } from '../../src/envelope/envelope';
import { hasCode, type WharfErrorCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createBatchHandler } from '../../src/lambda/index';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryJobStore } from '../../src/store/memory-store';
import { createMemoryTransport, type PeekedMessage } from '../../src/transport/memory';
import {
  anyJobName,
  anyPayload,
  anyText,
  ENVELOPE_FIELDS,
  isDeadLetterReason,
  NOW,
  validEnvelope,
} from '../helpers/decode-arbitraries';
import { fakeContext } from '../helpers/esm';

// Property-based tests of the Lambda batch handler (issue 12, invariant 4): whatever SQS event it is handed, it
// either refuses the whole event as not an SQS event, before running anything, or gives every record exactly one
// decision (released, or acked with one terminal event), and each dead letter says why.

/** The code of InvalidEventError, which the lead is adding to errors.ts; the cast goes once WharfErrorCode has it. */
const INVALID_EVENT: string = 'WHARF_INVALID_EVENT';
const QUEUE = 'default';
const ARN = 'arn:aws:sqs:us-east-1:123456789012:default';

const echo = defineJob({
  name: 'echo',
  schema: z.object({ n: z.number() }),
  idempotency: 'tracked',
  perform: ({ n }) => n,
});
const flaky = defineJob({
  name: 'flaky',
  schema: z.object({ n: z.number() }),
  idempotency: 'exactly-once',
  retry: { attempts: 2 },
  perform: () => {
    throw new Error('flaky failed');
  },
});
const picky = defineJob({
  name: 'picky',
  schema: z.object({}),
  idempotency: 'off',
  perform: (_payload, ctx) => ctx.discard('not wanted'),
});
const registry = createRegistry([echo, flaky, picky]);

/** Events that settle a record: one of them per record, and nothing else does. `started`, `progress` do not. */
const DECISIONS = new Set<JobEvent['type']>([
  'succeeded',
  'retrying',
  'dead',
  'discarded',
  'duplicate',
  'superseded',
  'lease-lost',
  'deferred',
  'released',
]);

type RecordShape = Record<string, unknown>;
type DeadEvent = Extract<JobEvent, { type: 'dead' }>;
const isDead = (e: JobEvent): e is DeadEvent => e.type === 'dead';

interface Invocation {
  readonly response: unknown;
  readonly threw: boolean;
  readonly error: unknown;
  readonly events: readonly JobEvent[];
  readonly deadLetters: readonly PeekedMessage[];
  readonly sent: readonly PeekedMessage[];
}

/** One Lambda invocation on a fresh world: memory transport and store, a manual clock, the registry above. */
async function invoke(event: unknown, concurrency = 1): Promise<Invocation> {
  const clock = createManualClock(NOW);
  const transport = createMemoryTransport({ clock });
  const events: JobEvent[] = [];
  const handler = createBatchHandler({
    registry,
    queue: QUEUE,
    transport,
    store: createMemoryJobStore(),
    clock,
    random: () => 0,
    onEvent: (e) => events.push(e),
    unknownJobDeferrals: 1,
    unknownJobDelay: '1m',
    concurrency,
  });
  let response: unknown;
  let error: unknown;
  let threw = false;
  try {
    response = await handler(event as SQSEvent, fakeContext(60_000));
  } catch (caught) {
    threw = true;
    error = caught;
  }
  return {
    response,
    threw,
    error,
    events,
    deadLetters: transport.peekDeadLetters(QUEUE),
    sent: transport.peek(QUEUE),
  };
}

const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : `a non-error: ${String(error)}`;

/** The item identifiers of a partial batch response, checked to be one: an object listing non-empty strings. */
function failedIds(response: unknown): string[] {
  expect(response).toBeTypeOf('object');
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  expect(Array.isArray(failures), 'batchItemFailures is a list').toBe(true);
  return (failures as unknown[]).map((failure) => {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    expect(typeof id === 'string' && id.length > 0, `itemIdentifier ${String(id)}`).toBe(true);
    return id as string;
  });
}

/** The batch-level contract: no throw, a partial batch response naming each of the batch's ids at most once. */
function expectPartialResponse(records: readonly RecordShape[], run: Invocation): Set<string> {
  expect(run.threw, run.threw ? `the handler threw ${describeError(run.error)}` : '').toBe(false);
  const ids = failedIds(run.response);
  const batch = new Set(records.map((r) => r.messageId));
  for (const id of ids) expect(batch.has(id), `"${id}" is one of the batch's ids`).toBe(true);
  expect(new Set(ids).size, `no id listed twice: ${JSON.stringify(ids)}`).toBe(ids.length);
  return new Set(ids);
}

/** Every dead event has its one dead letter, in the same order, with a reason code and an error. */
function expectDeadLettersExplained(decisions: readonly JobEvent[], run: Invocation): void {
  const dead = decisions.filter(isDead);
  expect(run.deadLetters).toHaveLength(dead.length);
  run.deadLetters.forEach((letter, i) => {
    const reason = letter.attributes[ATTR.reason];
    expect(isDeadLetterReason(reason), `dead letter reason ${reason}`).toBe(true);
    expect(reason).toBe(dead[i]?.reason);
    expect(letter.attributes[ATTR.error]?.trim() ?? '').not.toBe('');
    expect(letter.body.length).toBeGreaterThan(0);
  });
}

/**
 * The record-level contract, one record at a time. With a concurrency of 1 the handler takes the records in
 * order, so the n-th decision event is the n-th record's: released (and listed in the response) or acked with one
 * terminal event (and not listed). In a FIFO batch a retry or deferral waits in place, which leaves the record in
 * the queue (listed) like a release; once a record is released or waits, every record after it is released unrun
 * (AWS's rule): listed, with no event.
 */
function expectOneDecisionPerRecord(records: readonly RecordShape[], run: Invocation): JobEvent[] {
  const failed = expectPartialResponse(records, run);
  const decisions = run.events.filter((e) => DECISIONS.has(e.type));
  const ordered = records.some(
    (r) => typeof r.eventSourceARN === 'string' && r.eventSourceARN.endsWith('.fifo'),
  );
  let next = 0;
  let stopped = false;
  records.forEach((record, i) => {
    const id = record.messageId as string;
    if (stopped) {
      expect(failed.has(id), `record ${i}, behind a released one in a FIFO batch, is listed`).toBe(true);
      return;
    }
    const decision = decisions[next++];
    expect(decision, `record ${i} has a decision`).toBeDefined();
    // Each record is FIFO by its own ARN: only those wait in place.
    const fifo = typeof record.eventSourceARN === 'string' && record.eventSourceARN.endsWith('.fifo');
    const waits = fifo && (decision?.type === 'deferred' || decision?.type === 'retrying');
    const released = decision?.type === 'released' || waits;
    expect(failed.has(id), `record ${i} (${decision?.type}) listed iff released or waiting`).toBe(released);
    if (released && ordered) stopped = true;
  });
  expect(decisions.slice(next), 'no decision beyond one per record').toEqual([]);
  expectDeadLettersExplained(decisions, run);
  return decisions;
}

// -- arbitraries ----------------------------------------------------------------------------------------------

/** An envelope for one of the registry's jobs, or an unknown one; mostly due now, sometimes later or redriven. */
const jobEnvelope = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        v: fc.constant(1),
        id: fc.oneof(fc.constantFrom('job-1', 'job-2', 'job-3'), fc.uuid()),
        job: fc.oneof(fc.constantFrom('echo', 'flaky', 'picky', 'no-such-job'), anyJobName),
        payload: fc.oneof(fc.record({ n: fc.integer() }), fc.constant({}), anyPayload),
        attempt: fc.integer({ min: 1, max: 3 }),
        createdAtMs: fc.constant(NOW),
        enqueuedAtMs: fc.constant(NOW),
        runAtMs: fc.constantFrom(NOW - 1_000, NOW + 3_600_000),
        deferrals: fc.nat({ max: 2 }),
      },
      { requiredKeys: ['v', 'id', 'job', 'payload', 'attempt', 'createdAtMs', 'enqueuedAtMs'] },
    ),
  },
  {
    weight: 1,
    arbitrary: validEnvelope({ job: fc.constantFrom('echo', 'flaky', 'picky', 'no-such-job') }),
  },
);

const field = fc.constantFrom(...ENVELOPE_FIELDS);

/** A message body: a valid envelope, one with a field dropped, replaced or a hostile key added, or any text. */
const anyBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: jobEnvelope.map((e) => JSON.stringify(e)) },
  {
    weight: 1,
    arbitrary: fc.tuple(jobEnvelope, field).map(([e, f]) => JSON.stringify({ ...e, [f]: undefined })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(jobEnvelope, field, fc.jsonValue({ maxDepth: 2 }))
      .map(([e, f, value]) => JSON.stringify({ ...e, [f]: value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(jobEnvelope, fc.constantFrom('"__proto__":{"polluted":true}', '"constructor":{"prototype":{}}'))
      .map(([e, hostile]) => JSON.stringify(e).replace('"payload":', `${hostile},"payload":`)),
  },
  { weight: 1, arbitrary: anyText({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
);

/** A record as Lambda's SQS event source builds it. */
function sqsRecord(messageId: string, body: string): RecordShape {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(NOW),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(NOW),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: ARN,
    awsRegion: 'us-east-1',
  };
}

/** A change to a record, as data so that a counterexample reads: drop a key, or set it to a value. */
type Mutation = { readonly drop: string } | { readonly set: string; readonly to: unknown };

function mutated(record: RecordShape, mutations: readonly Mutation[]): RecordShape {
  const copy: RecordShape = { ...record };
  for (const m of mutations) {
    if ('drop' in m) delete copy[m.drop];
    else copy[m.set] = m.to;
  }
  return copy;
}

const oddValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyText({ maxLength: 20 }), fc.constant(null));
const nonString = fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string');

/** One message attribute as Lambda shows it, or something else in its place. */
const messageAttribute = fc.oneof(
  fc.record(
    {
      stringValue: fc.oneof(anyText({ maxLength: 30 }), nonString),
      binaryValue: fc.oneof(fc.base64String({ maxLength: 20 }), nonString),
      stringListValues: fc.array(oddValue, { maxLength: 2 }),
      binaryListValues: fc.array(oddValue, { maxLength: 2 }),
      dataType: fc.oneof(fc.constantFrom('String', 'Number', 'Binary', 'String.custom'), oddValue),
    },
    { requiredKeys: [] },
  ),
  oddValue,
);
const attributeName = fc.oneof(
  fc.constantFrom(...Object.values(ATTR), 'AWSTraceHeader'),
  anyText({ minLength: 1, maxLength: 20 }),
);

/** messageAttributes with odd values: the engine reads only string values of its own names, if any. */
const attributeMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ drop: 'messageAttributes' }),
  oddValue.map((to): Mutation => ({ set: 'messageAttributes', to })),
  fc
    .dictionary(attributeName, messageAttribute, { maxKeys: 6 })
    .map((to): Mutation => ({ set: 'messageAttributes', to })),
  fc.constant<Mutation>({ drop: 'attributes' }),
  oddValue.map((to): Mutation => ({ set: 'attributes', to })),
  oddValue.map((value): Mutation => ({ set: 'attributes', to: { ApproximateReceiveCount: value } })),
);

/** Record fields other than messageId: missing, of another type, odd; extra fields; a FIFO or odd source. */
const recordFieldMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom<Mutation>(
    { drop: 'body' },
    { drop: 'receiptHandle' },
    { drop: 'eventSource' },
    { drop: 'eventSourceARN' },
    { drop: 'md5OfBody' },
    { drop: 'awsRegion' },
    { set: 'eventSourceARN', to: `${ARN}.fifo` },
  ),
  nonString.map((to): Mutation => ({ set: 'body', to })),
  fc
    .tuple(
      fc.constantFrom('receiptHandle', 'eventSource', 'eventSourceARN', 'md5OfBody', 'awsRegion'),
      oddValue,
    )
    .map(([key, to]): Mutation => ({ set: key, to })),
  fc
    .tuple(
      anyText({ minLength: 1, maxLength: 12 }).filter((k) => k !== 'messageId'),
      oddValue,
    )
    .map(([key, to]): Mutation => ({ set: key, to })),
);

/** A message id of any non-empty text (Lambda's are UUIDs; nothing may depend on it). */
const messageId = fc.oneof(fc.uuid(), anyText({ minLength: 1, maxLength: 16 }));

/** How a record was made, which is what a counterexample shows: its id, its body, the changes to it. */
interface RecordSpec {
  readonly id: string;
  readonly body: string;
  readonly changes: readonly Mutation[];
}

/**
 * A batch of 1-10 records with distinct ids, each with a body and up to `maxMutations` changes from `mutation`.
 * A counterexample shows the records' specs, not every field of every record.
 */
function batch(mutation: fc.Arbitrary<Mutation> | undefined, maxMutations = 3): fc.Arbitrary<RecordShape[]> {
  const spec: fc.Arbitrary<RecordSpec> = fc.record({
    id: messageId,
    body: anyBody,
    changes: mutation ? fc.array(mutation, { maxLength: maxMutations }) : fc.constant([]),
  });
  return fc.uniqueArray(spec, { minLength: 1, maxLength: 10, selector: (r) => r.id }).map((specs) =>
    shownAs(
      specs.map(({ id, body, changes }) => mutated(sqsRecord(id, body), changes)),
      `records ${fc.stringify(specs)}`,
    ),
  );
}

/** A value fast-check shows by this text in a counterexample. */
function shownAs<T extends object>(value: T, text: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

/**
 * Changes 1-3 records of a batch by `change` (a body that is no body) and checks that each of them, and only
 * them, is dead-lettered as malformed-body, with a body SQS accepts.
 */
async function expectDeadLetteredAsMalformed(change: fc.Arbitrary<Mutation>): Promise<void> {
  const withBodiless = fc
    .tuple(batch(undefined), fc.array(fc.tuple(fc.nat(), change), { minLength: 1, maxLength: 3 }))
    .map(([original, changes]) => {
      // A copy: fast-check may reuse a generated value while it shrinks.
      const records = [...original];
      const bodiless = new Set<number>();
      for (const [at, c] of changes) {
        const i = at % records.length;
        records[i] = mutated(records[i]!, [c]);
        bodiless.add(i);
      }
      return shownAs(
        { records, bodiless: [...bodiless] },
        `${fc.stringify(original)}, then ${fc.stringify(changes)}`,
      );
    });
  await fc.assert(
    fc.asyncProperty(withBodiless, async ({ records, bodiless }) => {
      const run = await invoke({ Records: records });
      const decisions = expectOneDecisionPerRecord(records, run);
      const dead = decisions.filter(isDead);
      for (const i of bodiless) {
        const decision = decisions[i];
        expect(decision?.type, `record ${i}, without a body`).toBe('dead');
        if (!decision || !isDead(decision)) continue;
        expect(decision.reason).toBe('malformed-body');
        const letter = run.deadLetters[dead.indexOf(decision)];
        expect(letter?.attributes[ATTR.reason]).toBe('malformed-body');
        expect(letter?.body.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 100 },
  );
}

// -- properties -----------------------------------------------------------------------------------------------

describe('the Lambda batch handler, for events that are not SQS events', () => {
  const record = batch(undefined).map((records) => records[0]!);
  const notAnObject = fc.oneof(
    fc.constantFrom<unknown>(null, undefined, 0, 1, Number.NaN, '', 'Records', true, false),
    fc.jsonValue().filter((v) => typeof v !== 'object' || v === null),
  );
  const noRecordsArray = fc.oneof(
    fc.constantFrom<unknown>(
      {},
      [],
      { Records: null },
      { Records: undefined },
      { Records: 'x' },
      { Records: 5 },
    ),
    fc
      .jsonValue({ maxDepth: 2 })
      .filter((Records) => !Array.isArray(Records))
      .map((Records) => ({ Records })),
    record.map((r) => [r]),
    record.map((r) => ({ Records: { length: 1, 0: r } })),
    record.map((r) => ({ Records: r })),
    fc.dictionary(
      fc.string().filter((k) => k !== 'Records'),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  );
  const badRecord = fc.oneof(
    fc.constantFrom<unknown>(null, undefined, 0, 'record', true, [], {}),
    fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
    record.map((r) => mutated(r, [{ drop: 'messageId' }])),
    fc
      .tuple(record, fc.oneof(fc.constant(''), nonString))
      .map(([r, to]) => mutated(r, [{ set: 'messageId', to }])),
  );
  const withOneBadRecord = fc.tuple(batch(undefined), badRecord, fc.nat()).map(([records, bad, at]) => {
    const Records: unknown[] = [...records];
    Records.splice(at % (records.length + 1), 0, bad);
    return { Records };
  });

  it('throws WHARF_INVALID_EVENT, never a TypeError, and runs no record', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(notAnObject, noRecordsArray, withOneBadRecord), async (event) => {
        const run = await invoke(event);
        expect(run.threw, `resolved with ${JSON.stringify(run.response)}`).toBe(true);
        expect(run.error).not.toBeInstanceOf(TypeError);
        expect(hasCode(run.error, INVALID_EVENT as WharfErrorCode), `threw ${describeError(run.error)}`).toBe(
          true,
        );
        expect(run.events).toEqual([]);
        expect(run.deadLetters).toEqual([]);
        expect(run.sent).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('answers an event of no records with no failures', async () => {
    const run = await invoke({ Records: [] });
    expect(run.threw).toBe(false);
    expect(run.response).toEqual({ batchItemFailures: [] });
  });
});

describe('the Lambda batch handler, for SQS events whose records all have a messageId', () => {
  it('gives each record exactly one decision, whatever its body', async () => {
    await fc.assert(
      fc.asyncProperty(batch(undefined), async (records) => {
        expectOneDecisionPerRecord(records, await invoke({ Records: records }));
      }),
      { numRuns: 200 },
    );
  });

  it('gives each record exactly one decision, whatever its message attributes', async () => {
    await fc.assert(
      fc.asyncProperty(batch(attributeMutation), async (records) => {
        expectOneDecisionPerRecord(records, await invoke({ Records: records }));
      }),
      { numRuns: 150 },
    );
  });

  it('gives each record exactly one decision, whatever its other fields', async () => {
    await fc.assert(
      fc.asyncProperty(batch(recordFieldMutation), async (records) => {
        expectOneDecisionPerRecord(records, await invoke({ Records: records }));
      }),
      { numRuns: 200 },
    );
  });

  it('dead-letters a record without a string body as malformed-body, with a stand-in body', async () => {
    const noBody = fc.oneof(
      fc.constant<Mutation>({ drop: 'body' }),
      nonString.map((to): Mutation => ({ set: 'body', to })),
    );
    await expectDeadLetteredAsMalformed(noBody);
  });

  it('dead-letters a record with an empty body as malformed-body, with a stand-in body', async () => {
    // SQS never sends an empty body, and refuses one: its dead letter cannot keep the body as it came either.
    await expectDeadLetteredAsMalformed(fc.constant<Mutation>({ set: 'body', to: '' }));
  });

  it('at full concurrency, still one decision per record and one explained dead letter per dead record', async () => {
    const anyMutation = fc.oneof(attributeMutation, recordFieldMutation);
    await fc.assert(
      fc.asyncProperty(
        batch(anyMutation).filter((records) =>
          records.every((r) => typeof r.eventSourceARN !== 'string' || !r.eventSourceARN.endsWith('.fifo')),
        ),
        async (records) => {
          const run = await invoke({ Records: records }, 10);
          const failed = expectPartialResponse(records, run);
          const decisions = run.events.filter((e) => DECISIONS.has(e.type));
          expect(decisions).toHaveLength(records.length);
          expect(decisions.filter((e) => e.type === 'released')).toHaveLength(failed.size);
          const dead = decisions.filter(isDead);
          expect(run.deadLetters).toHaveLength(dead.length);
          const reasons = (list: readonly (string | undefined)[]) => [...list].sort();
          expect(reasons(run.deadLetters.map((l) => l.attributes[ATTR.reason]))).toEqual(
            reasons(dead.map((e) => e.reason)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lists a message id at most once, even when the batch holds two deliveries of one message', async () => {
    const withRepeats = batch(fc.oneof(attributeMutation, recordFieldMutation), 2).chain((records) =>
      fc
        .array(fc.nat(), { minLength: 1, maxLength: 4 })
        .map((picks) => [
          ...records,
          ...picks.map((p) => ({ ...records[p % records.length]!, receiptHandle: `rh-again-${p}` })),
        ]),
    );
    await fc.assert(
      fc.asyncProperty(withRepeats, async (records) => {
        expectPartialResponse(records, await invoke({ Records: records }));
      }),
      { numRuns: 150 },
    );
  });
});
