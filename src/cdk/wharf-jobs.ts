import { Annotations, type CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable, IRole } from 'aws-cdk-lib/aws-iam';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnSchedule, IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createQueueAlarms, type QueueAlarms } from './alarms.js';
import { configurationError, lintQueues } from './config-lint.js';
import { createJobsDashboard } from './dashboard.js';
import { type GrantTargets, grantConsume, grantEnqueue, grantOperate, grantRunJobs } from './grants.js';
import { JOB_TABLE_SCHEMA } from './job-table-schema.js';
import { acknowledgeDeadLetterQueueFindings, acknowledgeWorkerFindings } from './nag-suppressions.js';
import { createStackOutputs, runtimeSettings } from './outputs.js';
import { type QueueSettings, rangeProblems, resolveQueueSettings } from './queue-settings.js';
import { createJobQueues } from './queues.js';
import { createRecurringSchedules, skippedTasks, taskDeploymentProblems } from './recurring.js';
import { factsFromResources } from './resource-facts.js';
import { createJobSchedules } from './scheduler.js';
import { addJobTable } from './table.js';
import type { WharfJobsProps } from './wharf-jobs-props.js';
import { addWorkerFunction } from './worker.js';

/** A function that can be given the enqueue grant and the run-time configuration. */
export interface WharfProducer extends IGrantable {
  addEnvironment(key: string, value: string): unknown;
}

/**
 * Everything a wharf job registry needs on AWS: per queue an SQS queue, its dead-letter queue, a Lambda worker
 * and alarms; one job table, a schedule group with the role Scheduler sends with, and a dashboard. Settings that
 * would lose messages fail synth (see config-lint.ts).
 *
 * Construct ids are public: `<queue>/Queue`, `<queue>/DeadLetterQueue`, `<queue>/Worker`, `Table`,
 * `ScheduleGroup`, `SchedulerRole`, `Recurring/<task>` (one schedule per recurring task), `Dashboard`. So are the
 * stack outputs (prefixed with `outputPrefix`): `QueueUrl<Queue>`, `DeadLetterQueueUrl<Queue>`, `QueueArn<Queue>`,
 * `DeadLetterQueueArn<Queue>` (queue name in PascalCase; no ARNs for FIFO queues), `TableName`,
 * `ScheduleGroupName`, `SchedulerRoleArn`, each described by the WHARF_* variable it feeds.
 */
export class WharfJobs extends Construct {
  /** Source queues by queue name. */
  readonly queues: Readonly<Record<string, Queue>>;
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  /** Lambda workers by queue name; a queue with `lambdaWorker: false` has none. */
  readonly workers: Readonly<Record<string, NodejsFunction>>;
  readonly alarms: Readonly<Record<string, QueueAlarms>>;
  readonly table: ITable;
  readonly scheduleGroup: IScheduleGroup;
  readonly scheduleGroupName: string;
  readonly schedulerRole: IRole;
  /** The schedules of the registry's recurring tasks enabled in `environmentName`, by task. */
  readonly recurringSchedules: Readonly<Record<string, CfnSchedule>>;
  readonly dashboard: Dashboard;
  /** The run-time configuration (src/config/env-config.ts) every worker and producer gets. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The stack outputs that publish `environment`, by variable: `wharf env --stack <StackName>` turns them back
   * into WHARF_* variables. Empty with `outputs: false`.
   */
  readonly outputs: Readonly<Record<string, CfnOutput>>;
  private readonly targets: GrantTargets;

  constructor(scope: Construct, id: string, props: WharfJobsProps) {
    super(scope, id);
    const settings = checkedSettings(props);
    const pairs = settings.map((s) => createQueuePair(this, s, props));
    this.queues = byQueue(pairs, (p) => p.queue);
    this.deadLetterQueues = byQueue(pairs, (p) => p.deadLetterQueue);
    this.table = props.table ?? addJobTable(this, props.removalPolicy ?? RemovalPolicy.RETAIN);
    const schedules = createJobSchedules(
      this,
      Object.values(this.queues),
      Object.values(this.deadLetterQueues),
      props.encryptionKey,
    );
    this.scheduleGroup = schedules.scheduleGroup;
    this.scheduleGroupName = schedules.scheduleGroupName;
    this.schedulerRole = schedules.schedulerRole;
    this.recurringSchedules = createRecurringSchedules(this, {
      tasks: props.registry.recurring,
      environmentName: props.environmentName,
      scheduleGroup: schedules.scheduleGroup,
      scheduleGroupName: schedules.scheduleGroupName,
      role: schedules.schedulerRole,
      queues: this.queues,
      deadLetterQueues: this.deadLetterQueues,
    });
    const skipped = skippedTasks(props.registry.recurring, props.environmentName);
    if (skipped.length > 0) {
      Annotations.of(this).addInfo(
        `wharf: recurring tasks not deployed in environment "${props.environmentName}": ${skipped.join('; ')}`,
      );
    }
    const runtime = runtimeSettings(pairs, this.table, schedules);
    this.environment = Object.fromEntries(runtime.map((r) => [r.variable, r.value]));
    this.outputs = props.outputs === false ? {} : createStackOutputs(this, runtime, props.outputPrefix ?? '');
    this.targets = {
      scope: this,
      queues: Object.values(this.queues),
      deadLetterQueues: Object.values(this.deadLetterQueues),
      table: this.table,
      statusIndexName: JOB_TABLE_SCHEMA.statusIndex.name,
      encryptionKey: props.encryptionKey,
      ...schedules,
    };
    this.workers = this.createWorkers(pairs, props);
    this.alarms = this.createAlarms(pairs, props);
    const dashboardQueues = pairs.map((p) => ({
      ...p,
      name: p.settings.queue,
      worker: this.workers[p.settings.queue],
    }));
    this.dashboard = createJobsDashboard(this, dashboardQueues, this.table, props.dashboardName);
    // Escape-hatch edits happen after the constructor: check the resources again as they will be synthesized.
    this.node.addValidation({ validate: () => this.lintResources() });
  }

  /**
   * Lets `grantee` enqueue jobs: sqs:SendMessage on every job queue; scheduler:CreateSchedule, GetSchedule,
   * UpdateSchedule and DeleteSchedule in the job schedule group and iam:PassRole on the Scheduler role (delays
   * beyond 15 minutes, cancel, reschedule, run-time recurring tasks); kms:GenerateDataKey and kms:Decrypt on the
   * encryption key, if one is set.
   */
  grantEnqueue(grantee: IGrantable): Grant {
    return grantEnqueue(this.targets, grantee);
  }

  /**
   * Lets `grantee` run jobs from every queue (a long-running worker): sqs:ReceiveMessage, DeleteMessage,
   * ChangeMessageVisibility and GetQueueAttributes on the queues; sqs:SendMessage on the dead-letter queues;
   * everything `grantEnqueue` grants; dynamodb:GetItem, PutItem and UpdateItem on the job table.
   */
  grantConsume(grantee: IGrantable): Grant {
    return grantConsume(this.targets, grantee);
  }

  /**
   * What the CLI and the dashboard need: on the dead-letter queues sqs:ReceiveMessage, DeleteMessage,
   * ChangeMessageVisibility, GetQueueAttributes, StartMessageMoveTask, ListMessageMoveTasks and
   * CancelMessageMoveTask; sqs:SendMessage and GetQueueAttributes on the queues; dynamodb:GetItem, BatchGetItem, Query and Scan on
   * the table and its status index; scheduler:GetSchedule, GetScheduleGroup, and ListSchedules (which only exists
   * on "*"); kms:GenerateDataKey and kms:Decrypt on the encryption key, if one is set.
   */
  grantOperate(grantee: IGrantable): Grant {
    return grantOperate(this.targets, grantee);
  }

  /** Makes `producer` a producer: `grantEnqueue` plus the environment variables the wharf client reads. */
  configureProducer(producer: WharfProducer): Grant {
    for (const [key, value] of Object.entries(this.environment)) producer.addEnvironment(key, value);
    return this.grantEnqueue(producer);
  }

  private createWorkers(pairs: readonly QueuePair[], props: WharfJobsProps): Record<string, NodejsFunction> {
    const workers: Record<string, NodejsFunction> = {};
    for (const pair of pairs.filter((p) => p.settings.worker)) {
      const worker = addWorkerFunction(pair.scope, {
        settings: pair.settings,
        queue: pair.queue,
        entry: props.workerEntry,
        projectRoot: props.projectRoot,
        environment: this.environment,
        logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
        tracing: props.tracing ?? Tracing.ACTIVE,
      });
      grantRunJobs(this.targets, worker, [pair.deadLetterQueue]);
      acknowledgeWorkerFindings(worker);
      workers[pair.settings.queue] = worker;
    }
    return workers;
  }

  private createAlarms(pairs: readonly QueuePair[], props: WharfJobsProps): Record<string, QueueAlarms> {
    const alarms: Record<string, QueueAlarms> = {};
    for (const pair of pairs) {
      alarms[pair.settings.queue] = createQueueAlarms(pair.scope, {
        queueName: pair.settings.queue,
        queue: pair.queue,
        deadLetterQueue: pair.deadLetterQueue,
        worker: this.workers[pair.settings.queue],
        oldestMessageAgeThreshold: props.oldestMessageAgeThreshold ?? Duration.minutes(30),
        topic: props.alarmTopic,
      });
    }
    return alarms;
  }

  private lintResources(): string[] {
    const facts = Object.keys(this.queues).map((name) =>
      factsFromResources({
        queueName: name,
        queue: this.queues[name]!,
        deadLetterQueue: this.deadLetterQueues[name]!,
        worker: this.workers[name],
      }),
    );
    const problems = lintQueues(facts);
    return problems.length === 0 ? [] : [configurationError(problems).message];
  }
}

function checkedSettings(props: WharfJobsProps): QueueSettings[] {
  if (props.registry.queues.length === 0)
    throw configurationError(['registry: it has no jobs, so there is nothing to deploy']);
  const { settings, problems } = resolveQueueSettings(props);
  problems.push(...settings.flatMap(rangeProblems), ...lintQueues(settings));
  const fifo = new Set(settings.filter((s) => s.fifo).map((s) => s.queue));
  problems.push(...taskDeploymentProblems(props.registry.recurring, fifo, props.environmentName));
  if (problems.length > 0) throw configurationError(problems);
  return settings;
}

/** One queue's resources live under a construct named after the queue: `<queue>/Queue`, `<queue>/Worker`. */
interface QueuePair {
  readonly settings: QueueSettings;
  readonly scope: Construct;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

function createQueuePair(parent: Construct, settings: QueueSettings, props: WharfJobsProps): QueuePair {
  const scope = new Construct(parent, settings.queue);
  const { queue, deadLetterQueue } = createJobQueues(scope, settings, props.encryptionKey);
  acknowledgeDeadLetterQueueFindings(deadLetterQueue);
  return { settings, scope, queue, deadLetterQueue };
}

function byQueue<P extends { settings: QueueSettings }, T>(
  pairs: readonly P[],
  pick: (p: P) => T,
): Record<string, T> {
  return Object.fromEntries(pairs.map((p) => [p.settings.queue, pick(p)]));
}
