import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetScheduleCommand,
  GetScheduleGroupCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsRuntime, createAwsRuntime } from 'wharf-jobs/aws';
import { dispatchWebhook } from '../../functions/jobs/dispatch-webhook';
import { nightlyCleanupSchedule } from '../../functions/jobs/nightly-cleanup';
import { generateReport } from '../../functions/jobs/reports';
import { sendWelcomeEmail } from '../../functions/jobs/send-welcome-email';
import { registry } from '../../functions/registry';
import { environmentFromOutputs } from '../../src/ops/stack-outputs';
import { substituteContextAttributes } from '../../src/schedule/context-attributes';
import { firingJobId } from '../../src/schedule/define-recurring';
import { oneTimeScheduleName, recurringScheduleName } from '../../src/schedule/schedule-names';
import { FLOW_ITEM } from '../../src/store/dynamodb/flow-item';
import { emfDocuments, emfProblems } from '../helpers/emf-spec';
import { cdkBootstrap, cdkDeploy, cdkDestroy, type Deployed } from './cdk-cli';
import { eventSourceMappings, functionConfiguration, type LogEvent, logEvents } from './emulator-api';
import { createStepClock, latency } from './figures';
import { type Ministack, startMinistack } from './ministack';

// The example app's stack, deployed by the CDK CLI to ministack, with its workers really running as Lambda
// functions (Node 24, from the real SQS event source mappings) and EventBridge Scheduler really firing one-time
// schedules: no handler runs in this process. The test talks to the stack as users do: a producer built with
// createAwsRuntime from the WHARF_* variables of the stack's outputs, the `wharf` CLI, and the dashboard.
//
// The emulator's gaps, each filled where it is met below: it runs whichever `node` is first on PATH (ministack.ts),
// it has no Scheduler context attributes and drops schedule time zones (the recurring test), no SQS message move
// tasks (`wharf dlq retry` copies), no metric-math alarms (infra/emulator-context.ts leaves them out), and
// it enforces no IAM (the grants are proven by test/integration/grants-simulation.test.ts instead).

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = 'WharfExample';
const BASELINE = 'WharfBaseline';
const BASELINE_APP = 'npx tsx test/e2e/baseline-app.ts';
/** `-c wharf:emulator=ministack`: a disposable stack (DESTROY) without the metric-math alarms. */
const EMULATOR_CONTEXT = { 'wharf:emulator': 'ministack' };
const LATENCY_JOBS = 200;
const WARM_UP_JOBS = 20;

const clock = createStepClock();
const latencies: Record<string, ReturnType<typeof latency>> = {};
let ministack: Ministack | undefined;
let example: Deployed;
let baseline: Deployed;
let wharfEnv: Record<string, string>;
let producer: AwsRuntime;
let sqs: SQSClient;
let scheduler: SchedulerClient;
let destroyed = false;
const runStarted = performance.now();

const clientConfig = () => ({
  endpoint: ministack!.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const run = () => ({ endpoint: ministack!.endpoint });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The WHARF_* variables, as `wharf env` would print them: each output's description names its variable. */
function environmentOf(deployed: Deployed): Record<string, string> {
  return environmentFromOutputs(
    Object.entries(deployed.outputs).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
      Description: deployed.template.Outputs?.[OutputKey]?.Description,
    })),
  );
}

/** The environment of the CLI and the producer: the stack's variables, and the standard endpoint variable. */
const cliEnv = () => ({
  ...process.env,
  ...wharfEnv,
  AWS_ENDPOINT_URL: ministack!.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});

/** The `wharf` command, from source, in one process (so that SIGTERM reaches the dashboard itself). */
const CLI = ['--import', 'tsx', 'src/cli/main.ts', '--registry', 'functions/registry.ts'];

async function wharf(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [...CLI, ...args], {
    cwd: REPO_ROOT,
    env: cliEnv(),
  });
  return stdout;
}

/** The log group the construct gave the queue's worker (LoggingConfig), as the function reports it. */
async function logGroupOf(queue: string): Promise<string> {
  const functions = await workerFunctions();
  const fn = functions.find((f) => f.Environment?.Variables?.WHARF_QUEUE === queue);
  if (!fn?.LoggingConfig?.LogGroup) throw new Error(`no worker with a log group for queue ${queue}`);
  return fn.LoggingConfig.LogGroup;
}

async function workerFunctions() {
  const cfn = new CloudFormationClient(clientConfig());
  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: EXAMPLE }));
  const names = (StackResourceSummaries ?? [])
    .filter((r) => r.ResourceType === 'AWS::Lambda::Function')
    .map((r) => r.PhysicalResourceId!);
  return Promise.all(names.map((name) => functionConfiguration(ministack!.endpoint, name)));
}

/** The worker's lifecycle lines (Powertools JSON, `"wharf":"started"`...) about one job, in order: not the job's own. */
interface WharfLine {
  readonly wharf: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly atMs: number;
  readonly delayMs?: number;
  readonly reason?: string;
  readonly why?: string;
}
async function jobLines(queue: string, jobId: string): Promise<(WharfLine & { stream: string })[]> {
  const events = await logEvents(ministack!.endpoint, await logGroupOf(queue), jobId);
  return events
    .flatMap((e: LogEvent) => {
      try {
        const line = JSON.parse(e.message) as WharfLine;
        return line.jobId === jobId && line.wharf ? [{ ...line, stream: e.logStreamName }] : [];
      } catch {
        return [];
      }
    })
    .sort((a, b) => a.atMs - b.atMs);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

const recordOf = (jobId: string) => producer.store!.get(jobId, Date.now());
const finished = async (jobId: string) => {
  const record = await recordOf(jobId);
  return record && ['succeeded', 'discarded', 'dead'].includes(record.status) ? record : undefined;
};

beforeAll(async () => {
  ministack = await clock.time('start ministack', startMinistack);
  await clock.time('cdk bootstrap', () => cdkBootstrap(run()));
  example = await clock.time(`cdk deploy ${EXAMPLE}`, () => cdkDeploy(run(), EXAMPLE, EMULATOR_CONTEXT));
  baseline = await clock.time(`cdk deploy ${BASELINE}`, () =>
    cdkDeploy({ ...run(), app: BASELINE_APP }, BASELINE),
  );
  wharfEnv = environmentOf(example);
  producer = createAwsRuntime({ registry, env: cliEnv() });
  sqs = new SQSClient(clientConfig());
  scheduler = new SchedulerClient(clientConfig());
}, 600_000);

afterAll(async () => {
  try {
    if (ministack && example && !destroyed) {
      await clock.time('cdk destroy (after a failure)', async () => {
        await cdkDestroy({ ...run(), app: BASELINE_APP }, BASELINE).catch(() => undefined);
        await cdkDestroy(run(), EXAMPLE, EMULATOR_CONTEXT).catch(() => undefined);
      });
    }
  } finally {
    producer?.clients.close();
    sqs?.destroy();
    scheduler?.destroy();
    await clock.time('stop ministack', async () => ministack?.stop());
    const ratio = (key: 'p50' | 'p95') =>
      latencies.wharf && latencies.baseline
        ? (latencies.wharf[key] / latencies.baseline[key]).toFixed(2)
        : 'n/a';
    const line = (name: string) => {
      const l = latencies[name];
      return l ? `p50 ${l.p50} ms, p95 ${l.p95} ms over ${l.n} jobs` : 'not measured';
    };
    console.log(
      [
        `[e2e] ministack on ${ministack?.endpoint ?? '-'}, functions on node ${ministack?.nodeVersion ?? '-'}`,
        '[e2e] time per step:',
        clock.report(),
        `[e2e] whole file: ${((performance.now() - runStarted) / 1000).toFixed(1)} s`,
        '[e2e] enqueue-to-start latency on warm workers (one run, same emulator; figures, not thresholds):',
        `  wharf (send-welcome-email, exactly-once):          ${line('wharf')}`,
        `  Powertools batch + idempotency in middy (baseline): ${line('baseline')}`,
        `  ratio wharf / baseline: p50 ${ratio('p50')}, p95 ${ratio('p95')}`,
      ].join('\n'),
    );
  }
}, 300_000);

describe('the example stack deployed to ministack, with real Lambda workers', () => {
  it('deploys the workers (Node 24), their event source mappings with ReportBatchItemFailures, the table, queues and schedule group', async () => {
    const cfn = new CloudFormationClient(clientConfig());
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: EXAMPLE }));
    expect(Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const functions = await workerFunctions();
    expect(functions.map((f) => f.Environment?.Variables?.WHARF_QUEUE).sort()).toEqual([
      'default',
      'maintenance',
      'webhooks',
    ]);
    for (const fn of functions) {
      expect(fn.Runtime).toBe('nodejs24.x');
      const queue = fn.Environment!.Variables!.WHARF_QUEUE!;
      const suffix = queue.charAt(0).toUpperCase() + queue.slice(1);
      // Workers read the queue ARNs from the URLs (queueArnFromUrl, with AWS_REGION for an emulator's URLs).
      expect(Object.keys(fn.Environment!.Variables!).filter((k) => k.includes('_ARN_'))).toEqual([]);
      const mappings = await eventSourceMappings(ministack!.endpoint, fn.FunctionName);
      expect(mappings).toEqual([
        expect.objectContaining({
          EventSourceArn: example.outputs[`QueueArn${suffix}`],
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          BatchSize: 10,
          State: 'Enabled',
          ScalingConfig: { MaximumConcurrency: 20 },
        }),
      ]);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: wharfEnv[`WHARF_QUEUE_URL_${queue.toUpperCase()}`],
          AttributeNames: ['RedrivePolicy'],
        }),
      );
      expect(JSON.parse(Attributes!.RedrivePolicy!)).toMatchObject({
        deadLetterTargetArn: example.outputs[`DeadLetterQueueArn${suffix}`],
      });
    }
    const dynamodb = new DynamoDBClient(clientConfig());
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: wharfEnv.WHARF_TABLE_NAME }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    // The group's name ends with the first block of the stack id (Fn::Select of Fn::Split of AWS::StackId):
    // ministack resolves it.
    const stackIdBlock = Stacks![0]!.StackId!.split('/')[2]!.split('-')[0]!;
    expect(wharfEnv.WHARF_SCHEDULE_GROUP).toMatch(new RegExp(`-${stackIdBlock}$`));
    const group = await scheduler.send(new GetScheduleGroupCommand({ Name: wharfEnv.WHARF_SCHEDULE_GROUP }));
    expect(group.State).toBe('ACTIVE');
    // `wharf env --stack` reads the same variables back from DescribeStacks.
    const printed = await wharf('env', '--stack', EXAMPLE);
    for (const [name, value] of Object.entries(wharfEnv))
      expect(printed).toContain(`export ${name}='${value}'`);
  });
});

describe('jobs on the real Lambda workers', () => {
  it('runs a job in the default queue’s worker, and the job it enqueues runs there too', async () => {
    const reportId = `e2e-report-${Date.now()}`;
    const { jobId } = await producer.client.enqueue(generateReport.with({ reportId, ownerId: 'nobody' }));
    const first = await until('generate-report to finish', () => finished(jobId));
    expect(first).toMatchObject({ status: 'succeeded', attempt: 1, result: { rows: 0 } });
    // generate-report allows one run per owner at a time: the worker took the owner's slot and gave it back.
    const dynamodb = new DynamoDBClient(clientConfig());
    const { Item: slot } = await dynamodb.send(
      new GetItemCommand({
        TableName: wharfEnv.WHARF_TABLE_NAME,
        Key: FLOW_ITEM.slot('generate-report/nobody'),
        ConsistentRead: true,
      }),
    );
    dynamodb.destroy();
    expect(slot?.holders).toEqual({ M: {} });
    // notify-report-owner finds the report (saved in the worker's memory by the first job) and discards itself:
    // the owner is unknown to the example app's in-memory user directory. It may first be retried once, when its
    // delivery lands in another execution environment, one that has not seen the report.
    const chained = await until('the chained job to finish', () =>
      finished(`notify-report-owner:${reportId}`),
    );
    expect(chained.status).toBe('discarded');
    expect(chained.lastError?.message).toBe(`owner nobody of report ${reportId} no longer exists`);
  });

  it('writes the worker’s log lines to the function’s own log group', async () => {
    const { jobId } = await producer.client.enqueue(
      sendWelcomeEmail.with({ userId: `e2e-log-${Date.now()}` }),
    );
    await until('the job to finish', () => finished(jobId));
    const group = await logGroupOf('default');
    expect(group).toMatch(/WorkerLogGroup/);
    const events = await logEvents(ministack!.endpoint, group);
    expect(events.some((e) => e.message.startsWith('START RequestId:'))).toBe(true);
    expect(events.some((e) => e.message.startsWith('REPORT RequestId:'))).toBe(true);
    const lines = await jobLines('default', jobId);
    expect(lines.map((l) => l.wharf)).toEqual(['started', 'discarded']);
    // The worker's EMF metrics, written by the function that really ran, meet the specification CloudWatch reads.
    const emf = events.flatMap((e) => emfDocuments(e.message));
    const discards = emf.filter((d) => d.JobName === 'send-welcome-email' && d.Discarded !== undefined);
    expect(discards.length).toBeGreaterThan(0);
    for (const doc of emf) expect(emfProblems(doc)).toEqual([]);
    expect(discards[0]).toMatchObject({
      Queue: 'default',
      _aws: { CloudWatchMetrics: [{ Namespace: 'Wharf' }] },
    });
  });
});

describe('a failing job, its dead letter, and the operator’s tools', () => {
  let deadJobId: string;

  it('retries a failing job at its backoff, then dead-letters it with its story', async () => {
    // The endpoint is the example app's default, 127.0.0.1:9, where nothing listens: every attempt fails.
    const { jobId } = await producer.client.enqueue(
      dispatchWebhook.with({ endpointId: 'e2e-down', event: 'ping', data: { n: 1 } }),
    );
    deadJobId = jobId;
    const record = await until('the webhook job to be dead', () => finished(jobId), 90_000);
    expect(record).toMatchObject({ status: 'dead', attempt: 4 });
    const lines = await jobLines('webhooks', jobId);
    const starts = lines.filter((l) => l.wharf === 'started');
    const retries = lines.filter((l) => l.wharf === 'retrying');
    expect(starts.map((l) => l.attempt)).toEqual([1, 2, 3, 4]);
    // exponential: 2 s, then x3, plus up to 20% jitter; a retry waits at least that. The upper bound only has to
    // tell the backoff from a redelivery by the visibility timeout (6 x the 20 s worker timeout = 120 s on this
    // queue): SQS delays are whole seconds, the mapping polls, and a cold worker on a loaded machine takes seconds,
    // so it is the delay + 30 s, a behaviour bound, not a timing target.
    const chosen = [2_000, 6_000, 18_000];
    retries.forEach((retry, i) => {
      expect(retry.delayMs).toBeGreaterThanOrEqual(chosen[i]!);
      expect(retry.delayMs).toBeLessThanOrEqual(chosen[i]! * 1.2);
      const waited = starts[i + 1]!.atMs - starts[i]!.atMs;
      expect(waited).toBeGreaterThanOrEqual(retry.delayMs!);
      expect(waited).toBeLessThanOrEqual(retry.delayMs! + 30_000);
    });
    console.log(
      `[e2e] webhook retries waited ${starts
        .slice(1)
        .map((s, i) => ((s.atMs - starts[i]!.atMs) / 1000).toFixed(1))
        .join(', ')} s (chosen delays ${retries.map((r) => (r.delayMs! / 1000).toFixed(1)).join(', ')} s)`,
    );
    const dead = await until('the dead letter', async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: wharfEnv.WHARF_DLQ_URL_WEBHOOKS,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
        }),
      );
      return Messages?.[0];
    });
    const attributes = Object.fromEntries(
      Object.entries(dead.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toMatchObject({
      'wharf.job': 'dispatch-webhook',
      'wharf.id': jobId,
      'wharf.dlq.reason': 'retries-exhausted',
      'wharf.dlq.queue': 'webhooks',
    });
    expect(attributes['wharf.dlq.error']).toMatch(/fetch failed|ECONNREFUSED/);
    const body = JSON.parse(dead.Body!);
    expect(body).toMatchObject({ job: 'dispatch-webhook', id: jobId, attempt: 4 });
    expect(body.deadLetter).toMatchObject({ reason: 'retries-exhausted' });
    expect(body.failures).toHaveLength(4);
  });

  it('shows the queues and the dead letter in `wharf queues`, `wharf dlq list` and the dashboard', async () => {
    const queues = JSON.parse(await wharf('--json', 'queues'));
    console.log(JSON.stringify(queues));
    expect(JSON.stringify(queues)).toContain('webhooks');
    const list = JSON.parse(await wharf('--json', 'dlq', 'list'));
    expect(JSON.stringify(list)).toContain(deadJobId);
    const dashboard = await startDashboard();
    try {
      const page = async (path: string) => {
        const response = await fetch(new URL(path, dashboard.url), {
          headers: { authorization: `Bearer ${dashboard.token}` },
        });
        expect(response.status).toBe(200);
        return response.text();
      };
      const home = await page('/');
      for (const queue of ['default', 'webhooks', 'maintenance']) expect(home).toContain(queue);
      expect(await page('/dead-letters')).toContain(deadJobId);
    } finally {
      await dashboard.stop();
    }
  });

  it('runs the dead letter again as attempt 1 after `wharf dlq retry`', async () => {
    // Emulator gap: ministack has no SQS message move tasks; `--method auto` finds none and copies each dead
    // letter back to its queue, then deletes it (the path for emulators and FIFO queues).
    const since = Date.now();
    const output = await wharf('dlq', 'retry', '--all', '--yes');
    console.log(`[e2e] wharf dlq retry: ${output.trim()}`);
    const rerun = await until('the re-run to start', async () =>
      (await jobLines('webhooks', deadJobId)).find((l) => l.wharf === 'started' && l.atMs >= since),
    );
    expect(rerun.attempt).toBe(1);
  });
});

/** `wharf dashboard` against the deployed stack, on a free port; its address and token from its first line. */
async function startDashboard(): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [...CLI, '--json', 'dashboard', '--port', '0'], {
    cwd: REPO_ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((ok, fail) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) ok(text.split('\n')[0]!);
    });
    child.once('exit', (code) => fail(new Error(`wharf dashboard exited with ${code}`)));
  });
  const { url, loginUrl } = JSON.parse(first) as { url: string; loginUrl: string };
  const token = new URL(loginUrl).searchParams.get('token') ?? '';
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return {
    url,
    token,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('schedules on EventBridge Scheduler', () => {
  it('sends a job delayed beyond 15 minutes through a one-time schedule, and runs it when the schedule fires', async () => {
    const reportId = `e2e-later-${Date.now()}`;
    const enqueued = await producer.client.enqueue(
      generateReport.with({ reportId, ownerId: 'nobody' }, { delay: '20m' }),
    );
    expect(enqueued.via).toBe('scheduler');
    const name = oneTimeScheduleName(enqueued.jobId);
    const groupName = wharfEnv.WHARF_SCHEDULE_GROUP!;
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    expect(schedule.ScheduleExpression).toMatch(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
    expect(schedule.Target?.Arn).toBe(example.outputs.QueueArnDefault);
    const envelope = JSON.parse(schedule.Target!.Input!);
    expect(envelope.runAtMs).toBe(enqueued.runAtMs);

    // Twenty minutes are not waited for: the schedule is moved to now. Body and time together, because
    // UpdateSchedule replaces the whole schedule (what it is not given is reset), and because the envelope
    // carries the job's time too (runAtMs): a delivery that arrives before it is put back to wait by the worker,
    // as an early one on AWS would be. `client.reschedule` would send a job due within 15 minutes to SQS
    // directly, without the schedule firing, which is what this test is for.
    const fireAtMs = Math.ceil((Date.now() + 2_000) / 1000) * 1000;
    await scheduler.send(
      new UpdateScheduleCommand({
        Name: name,
        GroupName: groupName,
        ScheduleExpression: `at(${new Date(fireAtMs).toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: schedule.FlexibleTimeWindow,
        ActionAfterCompletion: schedule.ActionAfterCompletion,
        State: schedule.State,
        Description: schedule.Description,
        Target: { ...schedule.Target!, Input: JSON.stringify({ ...envelope, runAtMs: fireAtMs }) },
      }),
    );
    // ministack sweeps its schedules every 10 s, so a firing is up to about 10 s late.
    const record = await until('the delayed job to run', () => finished(enqueued.jobId), 45_000);
    expect(record.status).toBe('succeeded');
    expect(record.startedAtMs).toBeGreaterThanOrEqual(fireAtMs);
    // ActionAfterCompletion DELETE: the fired schedule is gone.
    await expect(
      scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName })),
    ).rejects.toThrow();
  });

  it('deploys the recurring task’s schedule, and runs its firing once though it is delivered twice', async () => {
    const task = nightlyCleanupSchedule.task;
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: recurringScheduleName(task), GroupName: wharfEnv.WHARF_SCHEDULE_GROUP }),
    );
    expect(schedule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(schedule.Target?.Arn).toBe(example.outputs.QueueArnMaintenance);
    // Emulator gap: ministack drops the schedule's time zone (it answers UTC, and would fire at 2am UTC); the
    // time zone is asserted on the template that was deployed instead.
    const resource = Object.values(
      (
        example.template as {
          Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
        }
      ).Resources,
    ).find((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(resource?.Properties.ScheduleExpressionTimezone).toBe('Europe/Berlin');
    console.log(
      `[e2e] the recurring schedule's time zone on ministack: ${schedule.ScheduleExpressionTimezone}`,
    );

    // A firing at 2am cannot be waited for, and ministack would deliver the schedule's Input with
    // `<aws.scheduler.scheduled-time>` left as it is (it fills in no context attributes), which every firing would
    // share. So the firing is played as Scheduler makes it: the schedule's own Input with the placeholder filled
    // in, sent to the schedule's target queue, twice (Scheduler delivers at least once, and retries).
    const input = schedule.Target!.Input!;
    expect(input).toContain('<aws.scheduler.scheduled-time>');
    const scheduledTimeMs = Math.floor(Date.now() / 1000) * 1000;
    const body = substituteContextAttributes(input, {
      scheduledTimeMs,
      scheduleArn: schedule.Arn!,
      executionId: 'e2e-execution',
      attemptNumber: 1,
    });
    await Promise.all(
      [1, 2].map(() =>
        sqs.send(
          new SendMessageCommand({ QueueUrl: wharfEnv.WHARF_QUEUE_URL_MAINTENANCE, MessageBody: body }),
        ),
      ),
    );
    const jobId = firingJobId(task, new Date(scheduledTimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const record = await until('the firing to run', () => finished(jobId));
    expect(record).toMatchObject({ status: 'succeeded', result: { removed: 0 } });
    // The other delivery finds the firing done (duplicate: acked with the stored outcome) or, when the two came
    // at once, still running (deferred as busy: it comes back later, and is a duplicate then).
    const lines = await until('both deliveries to be handled', async () => {
      const all = await jobLines('maintenance', jobId);
      return all.some((l) => l.wharf === 'duplicate' || l.wharf === 'deferred') ? all : undefined;
    });
    console.log(
      `[e2e] the firing's two deliveries: ${lines.map((l) => l.wharf + (l.why ? ` (${l.why})` : '')).join(', ')}`,
    );
    expect(lines.filter((l) => l.wharf === 'started')).toHaveLength(1);
  });
});

describe('pause and resume on the real event source mappings', () => {
  it('stops Lambda polling a paused queue: a job waits there unrun, and runs once the queue is resumed', async () => {
    const worker = (await workerFunctions()).find((f) => f.Environment?.Variables?.WHARF_QUEUE === 'default');
    const states = async () =>
      (await eventSourceMappings(ministack!.endpoint, worker!.FunctionName)).map((m) => m.State);
    expect(await states()).toEqual(['Enabled']);
    const paused = JSON.parse(await wharf('--json', 'pause', 'queue', 'default', '--reason', 'e2e', '--yes'));
    expect(paused).toMatchObject({ changed: true, eventSourceMappings: [{ changed: true }] });
    expect(await states()).toEqual(['Disabled']);
    // Past any batch the mapping took before it went off, and past the workers' 5 s pause cache.
    await sleep(6_000);
    const { jobId } = await producer.client.enqueue(
      sendWelcomeEmail.with({ userId: `e2e-pause-${Date.now()}` }),
    );
    await sleep(8_000);
    // Never delivered: the engine would have put it off and noted why on its record, and there is no record.
    expect(await recordOf(jobId)).toBeUndefined();
    await wharf('resume', 'queue', 'default', '--yes');
    expect(await states()).toEqual(['Enabled']);
    const done = await until('the job to run once the queue is resumed', () => finished(jobId), 45_000);
    // The example's welcome email discards itself for a user it does not know: it ran, as its first attempt, and
    // was never put off (the mapping held it back, not the engine).
    expect(done).toMatchObject({ status: 'discarded', attempt: 1 });
    expect(done.deferred).toBeUndefined();
  });
});

describe('exactly once under real Lambda concurrency', () => {
  it('records one completion of an exactly-once job delivered twice at once', async () => {
    // The producer's SendMessageBatch goes out twice, the copy 20 ms after the original, as SQS may deliver one
    // message twice: the mapping takes the first into one invocation and, while it runs, the copy into another
    // execution environment of the same function.
    const twiceSqs = new SQSClient(clientConfig());
    twiceSqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const copy = sleep(20).then(() => sqs.send(new SendMessageBatchCommand(input)));
        const [original] = await Promise.all([next(args), copy]);
        return original;
      },
      { step: 'initialize' },
    );
    const twice = createAwsRuntime({ registry, env: cliEnv(), sqs: twiceSqs });
    // Whether the copy lands in a second execution environment is Lambda's choice: when both land in one (the
    // copy after the first finished), nothing ran concurrently. Every attempt must record one completion; at
    // least one of them must have run the two deliveries in two environments, or the test proved nothing.
    const ATTEMPTS = 5;
    let environments = 0;
    for (let attempt = 1; attempt <= ATTEMPTS && environments < 2; attempt++) {
      const { jobId } = await twice.client.enqueue(
        sendWelcomeEmail.with({ userId: `e2e-twice-${Date.now()}-${attempt}` }),
      );
      const lines = await until('both deliveries to be handled', async () => {
        const all = await jobLines('default', jobId);
        // The copy finds the job finished (discarded: the example app's directory has no such user), and acks it
        // as superseded; had it come while the first ran, it is deferred (busy) and comes back later.
        return all.some((l) => l.wharf === 'superseded' || l.wharf === 'deferred') ? all : undefined;
      });
      console.log(
        `[e2e] the two deliveries (attempt ${attempt}): ${lines.map((l) => `${l.wharf}${l.why ? ` (${l.why})` : ''} in ${l.stream.slice(-8)}`).join(', ')}`,
      );
      expect(lines.filter((l) => l.wharf === 'started')).toHaveLength(1);
      const record = await finished(jobId);
      expect(record).toMatchObject({ status: 'discarded', attempt: 1 });
      environments = new Set(lines.map((l) => l.stream)).size;
    }
    expect(
      environments,
      `the two deliveries never ran in two execution environments in ${ATTEMPTS} attempts`,
    ).toBe(2);
    twice.clients.close();
    twiceSqs.destroy();
  });
});

describe('latency on warm workers, beside a Powertools + middy handler on the same emulator', () => {
  /** Sends `count` jobs one after another, `paceMs` apart, and returns each one's send time by its id. */
  async function paced(count: number, send: (i: number) => Promise<string>): Promise<Map<string, number>> {
    const sentAt = new Map<string, number>();
    const paceMs = 25;
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      const wait = started + i * paceMs - Date.now();
      if (wait > 0) await sleep(wait);
      const at = Date.now();
      sentAt.set(await send(i), at);
    }
    return sentAt;
  }

  async function measure(
    name: string,
    send: (i: number) => Promise<string>,
    starts: () => Promise<Map<string, number>>,
  ): Promise<void> {
    await paced(WARM_UP_JOBS, send);
    const sentAt = await paced(LATENCY_JOBS, send);
    const started = await until(
      `${name}: ${LATENCY_JOBS} jobs to start`,
      async () => {
        const all = await starts();
        return [...sentAt.keys()].every((id) => all.has(id)) ? all : undefined;
      },
      120_000,
    );
    latencies[name] = latency([...sentAt].map(([id, at]) => started.get(id)! - at));
  }

  it(`measures enqueue-to-start over ${LATENCY_JOBS} jobs for wharf and for the baseline`, async () => {
    const run = `${Date.now()}`;
    await clock.time('latency: wharf', () =>
      measure(
        'wharf',
        async (i) =>
          (await producer.client.enqueue(sendWelcomeEmail.with({ userId: `lat-${run}-${i}` }))).jobId,
        async () => {
          const events = await logEvents(ministack!.endpoint, await logGroupOf('default'), `lat-${run}-`);
          return new Map(
            events.flatMap((e) => {
              const line = JSON.parse(e.message) as WharfLine;
              return line.wharf === 'started' ? [[line.jobId, line.atMs] as const] : [];
            }),
          );
        },
      ),
    );
    const baselineGroup =
      (await functionConfiguration(ministack!.endpoint, baseline.outputs.FunctionName!)).LoggingConfig
        ?.LogGroup ?? `/aws/lambda/${baseline.outputs.FunctionName}`;
    await clock.time('latency: baseline', () =>
      measure(
        'baseline',
        async (i) => {
          const id = `lat-${run}-${i}-${Math.random().toString(36).slice(2, 8)}`;
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: baseline.outputs.QueueUrl,
              MessageBody: JSON.stringify({ id, payload: { i } }),
            }),
          );
          return id;
        },
        async () => {
          const events = await logEvents(ministack!.endpoint, baselineGroup, `"baseline":"started"`);
          return new Map(
            events.flatMap((e) => {
              const line = JSON.parse(e.message) as { id: string; atMs: number };
              return [[line.id, line.atMs] as const];
            }),
          );
        },
      ),
    );
    expect(latencies.wharf?.n).toBe(LATENCY_JOBS);
    expect(latencies.baseline?.n).toBe(LATENCY_JOBS);
  }, 300_000);
});

describe('cdk destroy', () => {
  it('deletes both stacks, the example stack’s table and queues with them (DESTROY on the emulator)', async () => {
    await clock.time(`cdk destroy ${BASELINE}`, () => cdkDestroy({ ...run(), app: BASELINE_APP }, BASELINE));
    await clock.time(`cdk destroy ${EXAMPLE}`, () => cdkDestroy(run(), EXAMPLE, EMULATOR_CONTEXT));
    destroyed = true;
    const cfn = new CloudFormationClient(clientConfig());
    for (const stackName of [EXAMPLE, BASELINE]) {
      await expect(cfn.send(new DescribeStacksCommand({ StackName: stackName }))).rejects.toThrow(
        /does not exist/,
      );
    }
    const dynamodb = new DynamoDBClient(clientConfig());
    await expect(
      dynamodb.send(new DescribeTableCommand({ TableName: wharfEnv.WHARF_TABLE_NAME })),
    ).rejects.toThrow();
    await expect(
      sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: wharfEnv.WHARF_QUEUE_URL_DEFAULT,
          AttributeNames: ['All'],
        }),
      ),
    ).rejects.toThrow();
  });
});
