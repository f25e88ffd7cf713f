import { Annotations, type CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable, IRole } from 'aws-cdk-lib/aws-iam';
import { CfnEventSourceMapping, CfnFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnSchedule, IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import {
  type AlarmPolicy,
  createQueueAlarms,
  createScheduleAlarms,
  type QueueAlarms,
  type ScheduleAlarms,
} from './alarms.js';
import { configurationError, lintQueues } from './config-lint.js';
import { createJobsDashboard } from './dashboard.js';
import { environmentSizeProblem } from './environment-size.js';
import { existingQueueProblems, uncheckedQueuesWarning } from './existing-queues.js';
import { fifoProblems } from './fifo-checks.js';
import { type GrantTargets, grantConsume, grantEnqueue, grantOperate, grantRunJobs } from './grants.js';
import { createJobAlarms, type JobAlarms } from './job-alarms.js';
import { JOB_TABLE_SCHEMA } from './job-table-schema.js';
import { jobTypesOf } from './job-type-metrics.js';
import { JOB_TYPE_ROWS_LIMIT, jobTypeWidgets } from './job-widgets.js';
import { allowCloudWatchToUse, allowLogsToUse } from './key-policies.js';
import { createLaneQueues, type LaneQueues, laneNameClashes, laneProblems } from './lanes.js';
import {
  acknowledgeDeadLetterQueueFindings,
  acknowledgeVpcAccessPolicy,
  acknowledgeWorkerFindings,
} from './nag-suppressions.js';
import {
  metricsNamespaceSetting,
  type ObservabilitySettings,
  observabilityProblems,
  relayObservabilityEnvironment,
  resolveObservability,
  workerObservabilityEnvironment,
} from './observability.js';
import {
  addOutboxRelay,
  grantOutboxItems,
  OUTBOX_PRODUCER_TABLE_ACTIONS,
  type WharfOutbox,
} from './outbox.js';
import { createStackOutputs, runtimeSettings } from './outputs.js';
import { type QueueSettings, rangeProblems, resolveQueueSettings } from './queue-settings.js';
import { createJobQueues } from './queues.js';
import { createRecurringSchedules, skippedTasks, taskDeploymentProblems } from './recurring.js';
import { removalPolicies, removalPolicyProblems } from './removal-policies.js';
import { factsFromResources } from './resource-facts.js';
import { createJobSchedules } from './scheduler.js';
import { addJobTable } from './table.js';
import type { WharfJobsProps, WharfQueueOptions, WharfRemovalPolicies } from './wharf-jobs-props.js';
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
 * Construct ids are public: `<queue>/Queue`, `<queue>/DeadLetterQueue`, `<queue>/Worker`,
 * `<queue>/Lanes/<lane>/Queue` and `<queue>/Lanes/<lane>/DeadLetterQueue` (each lane but the default one), `Table`,
 * `ScheduleGroup`, `SchedulerRole`, `Recurring/<task>` (one schedule per recurring task), `Dashboard`,
 * `JobTypes/<job>/DeadLetterRateAlarm` (one per job type, unless metrics are off), and with
 * `outbox` `Outbox/Relay` and `Outbox/FailedRecords`. So are the
 * stack outputs (prefixed with `outputPrefix`): `QueueUrl<Queue>`, `DeadLetterQueueUrl<Queue>`, `QueueArn<Queue>`,
 * `DeadLetterQueueArn<Queue>` (queue name in PascalCase; no ARNs for FIFO queues; a lane's are
 * `QueueUrl<Queue>Lane<Lane>`...), `Lanes<Queue>` for a queue with lanes, `TableName`,
 * `ScheduleGroupName`, `SchedulerRoleArn`, each described by the WHARF_* variable it feeds.
 */
export class WharfJobs extends Construct {
  /**
   * Source queues by queue name (the given ones for queues with `existingQueues`), and each lane's but the
   * default one's by `<queue>/<lane>`: the default lane is the queue itself.
   */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queues, keyed like `queues`. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Lambda workers by queue name; a queue with `lambdaWorker: false` has none. */
  readonly workers: Readonly<Record<string, NodejsFunction>>;
  /** Alarms by queue, and by `<queue>/<lane>` for each lane's queues (without the worker's, which are the queue's). */
  readonly alarms: Readonly<Record<string, QueueAlarms>>;
  /** The schedule group's delivery alarms. */
  readonly scheduleAlarms: ScheduleAlarms;
  /**
   * Alarms by job name, from the job-type metrics (`JobTypes/<job>/DeadLetterRateAlarm`); empty with
   * `observability.metrics: false`.
   */
  readonly jobAlarms: Readonly<Record<string, JobAlarms>>;
  readonly table: ITable;
  readonly scheduleGroup: IScheduleGroup;
  /**
   * The group's name: resolved at deploy time, as it ends with the first block of the stack's id (so a stack
   * created again after a delete does not collide with the group the first one retained).
   */
  readonly scheduleGroupName: string;
  readonly schedulerRole: IRole;
  /** The schedules of the registry's recurring tasks enabled in `environmentName`, by task. */
  readonly recurringSchedules: Readonly<Record<string, CfnSchedule>>;
  readonly dashboard: Dashboard;
  /**
   * The run-time configuration (src/config/env-config.ts) every worker and producer gets: the table, the
   * schedule group and role, and each queue's URL and dead-letter URL (a process reads the ARNs from the URLs).
   */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * The stack outputs that publish the configuration, by variable (the queue ARNs too): `wharf env --stack
   * <StackName>` turns them back into WHARF_* variables. Empty with `outputs: false`.
   */
  readonly outputs: Readonly<Record<string, CfnOutput>>;
  /** With `outbox: true`: the relay, its failure queue and its alarms. */
  readonly outbox?: WharfOutbox;
  private readonly targets: GrantTargets;

  constructor(scope: Construct, id: string, props: WharfJobsProps) {
    super(scope, id);
    const settings = checkedSettings(props);
    const removal = removalPolicies(props);
    const observability = resolveObservability(props);
    if (props.outbox === true && props.table && !props.table.tableStreamArn) {
      throw configurationError([
        'outbox: the given table has no stream; the outbox relay reads the INSERTs of its outbox entries from it. ' +
          'Turn its stream on (NEW_IMAGE) and pass it with its tableStreamArn (Table.fromTableAttributes), or let the construct create the table',
      ]);
    }
    const pairs = settings.map((s) => createQueuePair(this, s, props, removal));
    this.queues = byAddress(pairs, (p) => p.queue);
    this.deadLetterQueues = byAddress(pairs, (p) => p.deadLetterQueue);
    this.table =
      props.table ??
      addJobTable(this, {
        removalPolicy: removal.table,
        deletionProtection: props.tableDeletionProtection ?? removal.table !== RemovalPolicy.DESTROY,
        encryptionKey: props.tableEncryptionKey,
        stream: props.outbox === true,
      });
    const schedules = createJobSchedules(this, {
      queues: Object.values(this.queues),
      deadLetterQueues: Object.values(this.deadLetterQueues),
      removalPolicy: removal.scheduleGroup,
      environmentName: props.environmentName,
      encryptionKey: props.encryptionKey,
    });
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
    const runtime = [
      ...runtimeSettings(pairs, this.table, schedules, props.outbox === true),
      ...metricsNamespaceSetting(observability),
    ];
    this.environment = Object.fromEntries(
      runtime.filter((r) => r.inFunctions).map((r) => [r.variable, r.value]),
    );
    this.outputs = props.outputs === false ? {} : createStackOutputs(this, runtime, props.outputPrefix ?? '');
    this.targets = {
      scope: this,
      queues: Object.values(this.queues),
      deadLetterQueues: Object.values(this.deadLetterQueues),
      table: this.table,
      statusIndexName: JOB_TABLE_SCHEMA.statusIndex.name,
      encryptionKey: props.encryptionKey,
      ...schedules,
      eventSourceMappingArns: () => eventSourceMappingArnsOf(Object.values(this.workers)),
    };
    if (props.logEncryptionKey) allowLogsToUse(props.logEncryptionKey, this);
    this.workers = this.createWorkers(pairs, props, removal, observability);
    const alarmPolicy: AlarmPolicy = { options: props.alarms ?? {}, topic: props.alarmTopic };
    if (props.outbox === true) this.outbox = this.createOutbox(props, removal, alarmPolicy, observability);
    this.alarms = this.createAlarms(pairs, props, alarmPolicy);
    this.scheduleAlarms = createScheduleAlarms(this, schedules.scheduleGroup, alarmPolicy);
    if (props.alarmTopic?.masterKey) allowCloudWatchToUse(props.alarmTopic.masterKey, this);
    const dashboardQueues = pairs.flatMap((p) => [
      { ...p, name: p.settings.queue, worker: this.workers[p.settings.queue] },
      ...p.lanes.map((lane) => ({ ...lane, name: lane.address })),
    ]);
    const jobTypes = observability.metrics ? jobTypesOf(props.registry.jobs) : [];
    this.jobAlarms = createJobAlarms(this, observability.namespace, jobTypes, alarmPolicy);
    this.dashboard = createJobsDashboard(
      this,
      dashboardQueues,
      this.table,
      props.dashboardName,
      jobTypeWidgets(observability.namespace, jobTypes),
    );
    if (jobTypes.length > JOB_TYPE_ROWS_LIMIT) {
      Annotations.of(this).addInfo(
        `wharf: ${jobTypes.length} job types; the dashboard has a row for the first ${JOB_TYPE_ROWS_LIMIT} (registry ` +
          'order) and combined widgets, a line per job type, for the others',
      );
    }
    const existing = pairs.filter((p) => p.existing).map((p) => p.settings.queue);
    if (existing.length > 0) Annotations.of(this).addWarning(uncheckedQueuesWarning(existing));
    // Escape-hatch edits happen after the constructor: check the resources again as they will be synthesized.
    this.node.addValidation({ validate: () => this.lintResources(pairs) });
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
   * What the CLI and the dashboard need, and no more (test/integration/grants-simulation.test.ts records their
   * calls): on the dead-letter queues sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
   * GetQueueAttributes, StartMessageMoveTask and ListMessageMoveTasks; sqs:SendMessage and GetQueueAttributes on
   * the queues; dynamodb:GetItem, BatchGetItem, Query and Scan on the table and its status index;
   * scheduler:GetSchedule and ListSchedules (which only exists on "*"); kms:GenerateDataKey and kms:Decrypt on the
   * encryption key, if one is set, and kms:Decrypt and DescribeKey on the table's key, if it has one. For pause
   * and resume (README "Pause and resume"), dynamodb:GetItem and UpdateItem on the table, the workers' event
   * source mappings and scheduler:UpdateSchedule; for cancel (README "Cancel"), scheduler:DeleteSchedule of a
   * waiting job's schedule and the same table actions for its record.
   */
  grantOperate(grantee: IGrantable): Grant {
    return grantOperate(this.targets, grantee);
  }

  /**
   * Lets `grantee` put outbox entries in its own DynamoDB transactions (`client.transactItems`, README
   * "Enqueue after commit"): dynamodb:PutItem on the job table, only for keys that start with `outbox#` (a
   * dynamodb:LeadingKeys condition), and what the table's customer managed key needs, if it has one. Needs
   * `outbox: true`.
   */
  grantOutbox(grantee: IGrantable): Grant {
    if (!this.outbox) {
      throw configurationError([
        'grantOutbox: this WharfJobs has no outbox relay, so entries put in the outbox would never be sent. Set `outbox: true`',
      ]);
    }
    return grantOutboxItems(this.table, grantee, OUTBOX_PRODUCER_TABLE_ACTIONS);
  }

  /**
   * Makes `producer` a producer: `grantEnqueue` plus the environment variables the wharf client reads, and with
   * `outbox` `grantOutbox` too.
   */
  configureProducer(producer: WharfProducer): Grant {
    for (const [key, value] of Object.entries(this.environment)) producer.addEnvironment(key, value);
    const fn = cfnFunctionOf(producer);
    if (fn) {
      fn.node.addValidation({ validate: () => sizeProblems(fn, `producer ${fn.node.scope?.node.path}`) });
    }
    const enqueue = this.grantEnqueue(producer);
    return this.outbox ? enqueue.combine(this.grantOutbox(producer)) : enqueue;
  }

  private createOutbox(
    props: WharfJobsProps,
    removal: Required<WharfRemovalPolicies>,
    alarms: AlarmPolicy,
    observability: ObservabilitySettings,
  ): WharfOutbox {
    const outbox = addOutboxRelay(this, {
      table: this.table,
      targets: this.targets,
      deadLetterQueues: Object.values(this.deadLetterQueues),
      environment: { ...this.environment, ...relayObservabilityEnvironment(observability) },
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy: removal.logGroups,
      logEncryptionKey: props.logEncryptionKey,
      failureQueueRemovalPolicy: removal.deadLetterQueues,
      tracing: observability.tracing,
      alarms,
    });
    const fn = outbox.relay.node.defaultChild as CfnFunction;
    fn.node.addValidation({ validate: () => sizeProblems(fn, 'the outbox relay') });
    return outbox;
  }

  private createWorkers(
    pairs: readonly QueuePair[],
    props: WharfJobsProps,
    removal: Required<WharfRemovalPolicies>,
    observability: ObservabilitySettings,
  ): Record<string, NodejsFunction> {
    const workers: Record<string, NodejsFunction> = {};
    const tracing = observability.tracing;
    const environment = { ...this.environment, ...workerObservabilityEnvironment(observability) };
    for (const pair of pairs.filter((p) => p.settings.worker)) {
      const worker = addWorkerFunction(pair.scope, {
        settings: pair.settings,
        options: pair.options,
        queue: pair.queue,
        lanes: pair.lanes,
        entry: props.workerEntry,
        projectRoot: props.projectRoot,
        environment,
        logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
        logRemovalPolicy: removal.logGroups,
        logEncryptionKey: props.logEncryptionKey,
        tracing,
      });
      grantRunJobs(this.targets, worker, [pair.deadLetterQueue, ...pair.lanes.map((l) => l.deadLetterQueue)]);
      acknowledgeWorkerFindings(worker, tracing !== Tracing.DISABLED);
      if (pair.options.vpc) acknowledgeVpcAccessPolicy(worker);
      const fn = worker.node.defaultChild as CfnFunction;
      fn.node.addValidation({
        validate: () => sizeProblems(fn, `the worker of queue "${pair.settings.queue}"`),
      });
      workers[pair.settings.queue] = worker;
    }
    return workers;
  }

  private createAlarms(
    pairs: readonly QueuePair[],
    props: WharfJobsProps,
    policy: AlarmPolicy,
  ): Record<string, QueueAlarms> {
    const alarms: Record<string, QueueAlarms> = {};
    for (const pair of pairs) {
      const common = {
        deadLetterRetention: Duration.seconds(pair.settings.deadLetterRetentionSeconds),
        oldestMessageAgeThreshold: props.oldestMessageAgeThreshold ?? Duration.minutes(30),
      };
      alarms[pair.settings.queue] = createQueueAlarms(
        pair.scope,
        {
          ...common,
          queueName: pair.settings.queue,
          queue: pair.queue,
          deadLetterQueue: pair.deadLetterQueue,
          worker: this.workers[pair.settings.queue],
        },
        policy,
      );
      // A lane's dead letters and backlog alarm under the lane's own name; its worker is the queue's.
      for (const lane of pair.lanes)
        alarms[lane.address] = createQueueAlarms(
          lane.queue.node.scope!,
          { ...common, queueName: lane.address, queue: lane.queue, deadLetterQueue: lane.deadLetterQueue },
          policy,
        );
    }
    return alarms;
  }

  private lintResources(pairs: readonly QueuePair[]): string[] {
    const facts = pairs.flatMap((pair) => {
      const { queue, deadLetterQueue } = pair;
      // Only queues this construct created can be read back; existing ones are named in a warning instead.
      if (pair.existing || !(queue instanceof Queue) || !(deadLetterQueue instanceof Queue)) return [];
      const worker = this.workers[pair.settings.queue];
      return [
        factsFromResources({ queueName: pair.settings.queue, queue, deadLetterQueue, worker }),
        ...pair.lanes.map((lane) => factsFromResources({ ...lane, queueName: lane.address, worker })),
      ];
    });
    const problems = lintQueues(facts);
    return problems.length === 0 ? [] : [configurationError(problems).message];
  }
}

function sizeProblems(fn: CfnFunction, what: string): string[] {
  const problem = environmentSizeProblem(fn, what);
  return problem ? [configurationError([problem]).message] : [];
}

/** The L1 function behind a producer, when it is a Lambda function of this app (its environment can be checked). */
function cfnFunctionOf(producer: WharfProducer): CfnFunction | undefined {
  const construct = producer as Partial<IConstruct>;
  const child = construct.node?.defaultChild;
  return child instanceof CfnFunction ? child : undefined;
}

function checkedSettings(props: WharfJobsProps): QueueSettings[] {
  if (props.registry.queues.length === 0)
    throw configurationError(['registry: it has no jobs, so there is nothing to deploy']);
  const { settings, problems } = resolveQueueSettings(props);
  problems.push(...settings.flatMap(rangeProblems), ...lintQueues(settings));
  problems.push(
    ...settings.flatMap((s) => laneProblems(s, queueOptions(props, s.queue), props.registry)),
    ...laneNameClashes(settings),
  );
  problems.push(...existingQueueProblems(props, settings), ...removalPolicyProblems(props));
  const fifo = new Set(settings.filter((s) => s.fifo).map((s) => s.queue));
  problems.push(...taskDeploymentProblems(props.registry.recurring, fifo, props.environmentName));
  problems.push(...fifoProblems(props.registry, settings));
  problems.push(...observabilityProblems(props, props.registry));
  if (problems.length > 0) throw configurationError(problems);
  return settings;
}

/** One queue's resources live under a construct named after the queue: `<queue>/Queue`, `<queue>/Worker`. */
interface QueuePair {
  readonly settings: QueueSettings;
  /** The queue's options: `queueDefaults` under `queues[<queue>]`. */
  readonly options: WharfQueueOptions;
  readonly scope: Construct;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** The queues were given (`existingQueues`), not created. */
  readonly existing: boolean;
  /** Each lane's queues but the default lane's (which are `queue` and `deadLetterQueue`). */
  readonly lanes: readonly LaneQueues[];
}

function queueOptions(props: WharfJobsProps, queue: string): WharfQueueOptions {
  return { ...props.queueDefaults, ...props.queues?.[queue] };
}

function createQueuePair(
  parent: Construct,
  settings: QueueSettings,
  props: WharfJobsProps,
  removal: Required<WharfRemovalPolicies>,
): QueuePair {
  const scope = new Construct(parent, settings.queue);
  const options = queueOptions(props, settings.queue);
  if (options.existingQueues)
    return { settings, options, scope, ...options.existingQueues, existing: true, lanes: [] };
  const policies = { queue: removal.queues, deadLetterQueue: removal.deadLetterQueues };
  const { queue, deadLetterQueue } = createJobQueues(scope, settings, policies, props.encryptionKey);
  acknowledgeDeadLetterQueueFindings(deadLetterQueue);
  const lanes = createLaneQueues(scope, settings, policies, props.encryptionKey);
  return { settings, options, scope, queue, deadLetterQueue, existing: false, lanes };
}

/** By queue name, and each lane but the default one by `<queue>/<lane>`. */
function byAddress<T>(
  pairs: readonly QueuePair[],
  pick: (p: { queue: IQueue; deadLetterQueue: IQueue }) => T,
): Record<string, T> {
  return Object.fromEntries(
    pairs.flatMap((p) => [
      [p.settings.queue, pick(p)],
      ...p.lanes.map((lane) => [lane.address, pick(lane)] as const),
    ]),
  );
}

/** Each worker's event source mapping (one per worker: its queue's). */
function eventSourceMappingArnsOf(workers: readonly Construct[]): string[] {
  return workers.flatMap((worker) =>
    worker.node
      .findAll()
      .filter((c): c is CfnEventSourceMapping => c instanceof CfnEventSourceMapping)
      .map((mapping) => mapping.attrEventSourceMappingArn),
  );
}
