/**
 * The grants, proven against the code: each role's real code path runs on moto with every AWS call recorded as
 * the IAM request AWS would authorize (test/helpers/aws-action-recorder.ts), and each request is evaluated with
 * an IAM policy simulator against that role's policy as the WharfJobs construct synthesizes it
 * (test/helpers/iam-simulation.ts). moto enforces no IAM, so without this a missing grant (dynamodb:Scan for the
 * operator's listings, once) passes every other test and fails on AWS with AccessDenied.
 *
 * The roles: each Lambda worker (its execution role, which its event source mapping polls with too), the
 * producer (a function given `configureProducer`), the operator (a role given `grantOperate`: what the CLI and
 * the dashboard do through ops), a long-running worker (a role given `grantConsume`), and the Scheduler role.
 *
 * What this cannot see, and where it stands instead:
 * - Scheduler's own sends: moto never fires a schedule, so what Scheduler does with the role (send to the
 *   target, and to the schedule's dead-letter queue when a delivery keeps failing) is derived from the schedules
 *   the code created and the template's recurring schedules, their Target.Arn and DeadLetterConfig.Arn.
 * - KMS: SQS calls KMS with the caller's credentials on a queue encrypted with a customer managed key, and
 *   DynamoDB on a table encrypted with one, which no emulator shows; those requests are derived from AWS's
 *   documentation (iam-requests.ts) and evaluated against the identity policy and the key policy. The world has
 *   one key for the queues and another for the table, so each key's requests prove that key's grants.
 * - Message move tasks: moto has none; their two calls get SQS's answers (grant-world.ts), and what the task then
 *   does as its starter (receive and delete on the DLQ, send to the queue) is derived.
 * - The queue policies (TLS only) and the key policies are evaluated; SCPs, RCPs, permission boundaries and managed
 *   policies named by ARN are not (an account can only take permissions away with them).
 * - Pausing a queue: each worker's event source mapping is played on moto by a mapping of its own (moto runs no
 *   function code), whose UUID the template's mapping ARN resolves to.
 * - Lambda's own calls with the execution role (CloudWatch Logs, X-Ray) are not made by wharf's code: the grants
 *   test (test/infra/grants.test.ts) asserts their statements.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { strayClients } from '../helpers/aws-action-recorder';
import {
  registry,
  reminder,
  runConsumer,
  runLambdaWorkers,
  runOperator,
  runProducer,
} from '../helpers/grant-paths';
import { createGrantWorld, type GrantWorld, type RoleUnderTest } from '../helpers/grant-world';
import { deliveryRequests, type IamRequest } from '../helpers/iam-requests';
import { deniedRequests, resolve } from '../helpers/iam-simulation';

// Every client wharf builds comes from these three modules (src/runtime/aws-clients.ts, the composition root):
// here they build clients that record every call for the role whose code path built them.
vi.mock('../../src/transport/sqs/sqs-client-class', async () => {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { recordingClientClass } = await import('../helpers/aws-action-recorder');
  return { SQSClient: recordingClientClass(SQSClient) };
});
vi.mock('../../src/store/dynamodb/dynamodb-client-class', async () => {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { recordingClientClass } = await import('../helpers/aws-action-recorder');
  return { DynamoDBClient: recordingClientClass(DynamoDBClient) };
});
vi.mock('../../src/schedule/eventbridge/scheduler-client-class', async () => {
  const { SchedulerClient } = await import('@aws-sdk/client-scheduler');
  const { recordingClientClass } = await import('../helpers/aws-action-recorder');
  return { SchedulerClient: recordingClientClass(SchedulerClient) };
});

// The Lambda client (pausing a queue) is loaded by name (src/runtime/lambda-api.ts, an optional peer): here the
// loader hands out the recording class.
vi.mock('../../src/runtime/lambda-api', async () => {
  const lambda = await import('@aws-sdk/client-lambda');
  const { recordingClientClass } = await import('../helpers/aws-action-recorder');
  const recorded = { ...lambda, LambdaClient: recordingClientClass(lambda.LambdaClient) };
  return { loadLambda: async () => recorded };
});

let world: GrantWorld;
/** Schedules that pass Scheduler a role other than the construct's Scheduler role. */
const misdirected: string[] = [];

beforeAll(async () => {
  world = await createGrantWorld(registry);
  const producer = await runProducer(world);
  await runLambdaWorkers(world);
  await runConsumer(world, producer);
  await runOperator(world, producer);
  recordSchedulerDeliveries();
}, 180_000);

/** What Scheduler sends with its role, for every schedule the code made and every recurring one in the template. */
function recordSchedulerDeliveries(): void {
  const recorders = [world.producer, world.consumer, world.operator, ...Object.values(world.workers)];
  const made = recorders.flatMap((r) =>
    r.recorder.calls
      .filter((c) => c.service === 'scheduler' && /^(Create|Update)Schedule$/.test(c.command))
      .map((c) => ({ name: String(c.input.Name), target: c.input.Target as Target })),
  );
  const deployed = Object.entries(world.deployment.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule')
    .map(([id, r]) => ({
      name: id,
      target: resolve((r.Properties as { Target: Target }).Target, world.deployment),
    }));
  expect(deployed.length).toBeGreaterThan(0);
  for (const { name, target } of [...made, ...deployed] as { name: string; target: Target }[]) {
    if (target.RoleArn !== world.scheduler.arn) misdirected.push(`${name} passes ${target.RoleArn}`);
    for (const request of deliveryRequests(target)) world.scheduler.recorder.add(request);
  }
}

interface Target {
  readonly Arn?: string;
  readonly RoleArn?: string;
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

const roles = (): Record<string, RoleUnderTest> => ({
  'worker of default': world.workers.default!,
  'worker of emails': world.workers.emails!,
  producer: world.producer,
  consumer: world.consumer,
  operator: world.operator,
  Scheduler: world.scheduler,
});

const arnOf = (construct: Parameters<GrantWorld['played']>[0]) => world.played(construct).Arn!;
const pairs = (requests: readonly IamRequest[]) => requests.map((r) => [r.action, r.resource]);

/** The requests each role's path must have made: the recording proves something only if it holds these. */
function mustHave(role: string): unknown[][] {
  const { jobs } = world.built;
  const queue = arnOf(jobs.queues.default!);
  const emails = arnOf(jobs.queues.emails!);
  const dlq = arnOf(jobs.deadLetterQueues.default!);
  const table = arnOf(jobs.table as never);
  const key = world.keyArn;
  const tableKey = ['kms:Decrypt', world.tableKeyArn];
  const schedule = expect.stringMatching(new RegExp(`:schedule/${world.scheduleGroupName}/.`));
  const scheduling = [
    ['scheduler:CreateSchedule', schedule],
    ['iam:PassRole', world.scheduler.arn],
  ];
  const sending = [
    ['sqs:SendMessage', queue],
    ['kms:GenerateDataKey', key],
  ];
  switch (role) {
    case 'worker of default':
      return [
        ['sqs:ReceiveMessage', queue],
        ['sqs:DeleteMessage', queue],
        ['kms:Decrypt', key],
        ...sending,
        ['sqs:SendMessage', dlq],
        ['sqs:SendMessage', emails],
        ...scheduling,
        ['dynamodb:UpdateItem', table],
        // a unique key given back when its job ends
        ['dynamodb:DeleteItem', table],
        tableKey,
      ];
    case 'worker of emails':
      return [
        ['sqs:ReceiveMessage', emails],
        ['sqs:DeleteMessage', emails],
        ['dynamodb:UpdateItem', table],
        tableKey,
      ];
    case 'producer':
      return [
        ...sending,
        ['sqs:SendMessage', emails],
        ...scheduling,
        ['scheduler:UpdateSchedule', schedule],
        ['scheduler:GetSchedule', schedule],
        ['scheduler:DeleteSchedule', schedule],
        // a unique key taken, a debounced burst written
        ['dynamodb:PutItem', table],
        ['dynamodb:UpdateItem', table],
        tableKey,
      ];
    case 'consumer':
      return [
        ['sqs:ReceiveMessage', queue],
        ['sqs:DeleteMessage', queue],
        ['sqs:ChangeMessageVisibility', queue],
        ['sqs:SendMessage', dlq],
        ['sqs:SendMessage', emails],
        ...scheduling,
        ['dynamodb:UpdateItem', table],
        tableKey,
      ];
    case 'operator':
      return [
        ['dynamodb:Scan', table],
        ['dynamodb:Query', `${table}/index/byStatus`],
        ['dynamodb:BatchGetItem', table],
        ['dynamodb:GetItem', table],
        tableKey,
        ['sqs:GetQueueAttributes', queue],
        ['sqs:ReceiveMessage', dlq],
        ['sqs:ChangeMessageVisibility', dlq],
        ['sqs:DeleteMessage', dlq],
        ['sqs:ListMessageMoveTasks', dlq],
        ['sqs:StartMessageMoveTask', dlq],
        ['kms:Decrypt', key],
        ...sending,
        ['scheduler:ListSchedules', '*'],
        ['scheduler:GetSchedule', expect.stringMatching(new RegExp(`/recurring\\.${reminder.task}$`))],
        ['scheduler:UpdateSchedule', expect.stringMatching(new RegExp(`/recurring\\.${reminder.task}$`))],
        ['iam:PassRole', world.scheduler.arn],
        ['dynamodb:UpdateItem', table],
        ['lambda:ListEventSourceMappings', '*'],
        ['lambda:UpdateEventSourceMapping', expect.stringMatching(/:event-source-mapping:[0-9a-f-]{36}$/)],
        // cancel of a job waiting in a schedule (its record, for one on its queue, is the UpdateItem above)
        ['scheduler:DeleteSchedule', expect.stringMatching(/:schedule\/[^/]+\/job\.[0-9a-f-]{36}$/)],
      ];
    case 'Scheduler':
      return [...sending, ['sqs:SendMessage', dlq], ['sqs:SendMessage', emails], ['kms:Decrypt', key]];
  }
  throw new Error(`no expectations for role ${role}`);
}

describe('the grants, simulated against what each role calls', () => {
  const names = [
    'worker of default',
    'worker of emails',
    'producer',
    'consumer',
    'operator',
    'Scheduler',
  ] as const;

  it.each(names)('the %s role is allowed every request its code path made', async (name) => {
    const role = roles()[name]!;
    const denied = await deniedRequests(world.deployment, role, role.recorder.requests);
    expect([...role.recorder.unmapped, ...denied]).toEqual([]);
  });

  it('built every AWS client of the code paths inside a recording', () => {
    expect(strayClients).toEqual([]);
  });

  it.each(names)('the %s role recorded the requests its path is for', (name) => {
    expect(pairs(roles()[name]!.recorder.requests)).toEqual(expect.arrayContaining(mustHave(name)));
  });

  it('denies each role what no grant gives it, so an allowed request means its policy allows it', async () => {
    const table = arnOf(world.built.jobs.table as never);
    const queue = arnOf(world.built.jobs.queues.default!);
    const foreign = [
      { action: 'dynamodb:DeleteTable', resource: table, from: 'test' },
      { action: 'sqs:DeleteQueue', resource: queue, from: 'test' },
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:not-ours', from: 'test' },
    ];
    for (const role of Object.values(roles())) {
      expect(await deniedRequests(world.deployment, role, foreign)).toHaveLength(foreign.length);
    }
  });

  it('gives the table key to no role that does not touch the table', async () => {
    const decrypt: IamRequest = {
      action: 'kms:Decrypt',
      resource: world.tableKeyArn,
      context: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' },
      from: 'test',
    };
    // The producer touches the table since issue 16 (unique keys, debounced bursts, cancel); Scheduler never.
    expect(await deniedRequests(world.deployment, world.scheduler, [decrypt])).toHaveLength(1);
    expect(await deniedRequests(world.deployment, world.producer, [decrypt])).toHaveLength(0);
  });

  it('passes Scheduler only the construct Scheduler role', () => {
    expect(misdirected).toEqual([]);
  });
});
