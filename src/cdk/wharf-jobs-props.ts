import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Architecture, ILayerVersion, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { LaneDeclaration } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';

/**
 * How one queue, its dead-letter queue and its worker are configured. Every option has a default derived from
 * the jobs on the queue; setting one is an override, and the synth-time lint still checks the result.
 *
 * `lanes` and `defaultLane` (LaneDeclaration) make the queue a set of priority lanes (README "Priority lanes"):
 * the default lane is the queue itself, and each other lane gets a queue and a dead-letter queue of its own with
 * these same settings, under `<queue>/Lanes/<lane>`. Its Lambda worker gets one event source mapping per lane,
 * whose MaximumConcurrency is the lane's share of `maxConcurrency` by weight; at least 2 each, checked at synth.
 */
export interface WharfQueueOptions extends LaneDeclaration {
  /**
   * Messages one worker invocation receives. The records of a batch run concurrently (the Lambda handler's
   * `concurrency`, 10 by default), which is what the derived worker timeout assumes.
   * @default 10
   */
  readonly batchSize?: number;
  /** How long Lambda gathers messages before invoking. Not allowed on FIFO queues. @default - none: invoke as soon as messages arrive */
  readonly maxBatchingWindow?: Duration;
  /**
   * The event source mapping's maximum concurrency (2-1000). It keeps a burst on one queue from taking the
   * account's unreserved concurrency, and it must stay within any reserved concurrency: throttled deliveries
   * burn receive counts and would reach the dead-letter queue unprocessed.
   * @default 20
   */
  readonly maxConcurrency?: number;
  /** Concurrency reserved for the worker. @default - none: the worker draws on the account's unreserved pool */
  readonly reservedConcurrency?: number;
  /** The worker function's timeout. @default - the longest job timeout on the queue plus 10 seconds */
  readonly workerTimeout?: Duration;
  /** The worker function's memory, in MiB. @default 1024 */
  readonly workerMemorySize?: number;
  /** The worker's instruction set. @default Architecture.ARM_64 (Graviton: about 20% cheaper per GB-second) */
  readonly workerArchitecture?: Architecture;
  /** A VPC for the worker, for jobs that reach private resources. @default - no VPC */
  readonly vpc?: IVpc;
  /** The worker's subnets in `vpc`. @default - the VPC's private subnets with egress */
  readonly vpcSubnets?: SubnetSelection;
  /** The worker's security groups in `vpc`. @default - one security group with all outbound traffic allowed */
  readonly securityGroups?: readonly ISecurityGroup[];
  /** Lambda layers for the worker (an extension, a shared library). @default - none */
  readonly layers?: readonly ILayerVersion[];
  /**
   * Extra environment variables for the worker, beside the WHARF_* ones (which cannot be overridden). Counted in
   * the synth-time check that keeps the function within Lambda's 4 KB of environment.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Retention of the worker's log group. @default - `logRetention` of WharfJobsProps */
  readonly logRetention?: RetentionDays;
  /** @default - 6 × the worker timeout + the batching window (AWS's advice for SQS event sources) */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives of one message before SQS moves it to the dead-letter queue. The engine counts attempts itself and
   * sends retries as new messages, so a message is received again only when a delivery did not complete: a
   * throttle, a busy lease in exactly-once mode, a crash or a timeout. 10 leaves room for those without keeping a
   * message that kills its worker around for long.
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /** How long SQS keeps an unprocessed message. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** How long the dead-letter queue keeps a dead letter; must exceed `retentionPeriod`. @default Duration.days(14) */
  readonly deadLetterRetentionPeriod?: Duration;
  /** A FIFO queue (and FIFO dead-letter queue): batch size at most 10, no batching window. @default false */
  readonly fifo?: boolean;
  /**
   * Create a Lambda worker for this queue. Set it to false for jobs longer than Lambda allows (15 minutes), and
   * run the queue with the long-running worker (`wharf-jobs/worker`) on a role given `grantConsume`.
   * @default true
   */
  readonly lambdaWorker?: boolean;
  /**
   * Queues that exist already (another stack, or created by hand) instead of creating them. wharf cannot read
   * their settings, so the synth-time lint cannot check them: they must have a redrive policy to `deadLetterQueue`
   * with a maxReceiveCount of at least 5, a visibility timeout of at least 6 × the worker timeout, and a
   * dead-letter retention longer than the queue's (infra/README.md, "Options per queue, and bringing your own resources"). A warning at synth says so.
   * @default - new queues
   */
  readonly existingQueues?: { readonly queue: IQueue; readonly deadLetterQueue: IQueue };
}

/** What happens to each kind of stateful resource when it leaves the stack, or is replaced. */
export interface WharfRemovalPolicies {
  /** @default - `removalPolicy` */
  readonly table?: RemovalPolicy;
  /** The job queues: waiting jobs are in them. @default - `removalPolicy` */
  readonly queues?: RemovalPolicy;
  /** The dead-letter queues: the dead letters, and their stories, are in them. @default - `removalPolicy` */
  readonly deadLetterQueues?: RemovalPolicy;
  /** The workers' log groups. @default - `removalPolicy` */
  readonly logGroups?: RemovalPolicy;
  /**
   * The schedule group: deleting it deletes every schedule in it, the jobs waiting beyond 15 minutes among them.
   * @default - `removalPolicy`
   */
  readonly scheduleGroup?: RemovalPolicy;
}

/** One alarm's settings. */
export interface WharfAlarmSettings {
  /** Create the alarm. @default true */
  readonly enabled?: boolean;
  /**
   * The value above which the alarm fires, in the metric's unit: messages or errors for counts, seconds for ages.
   * @default - per alarm, see WharfAlarms
   */
  readonly threshold?: number;
  /** Periods above the threshold before the alarm fires. @default 1 */
  readonly evaluationPeriods?: number;
  /** Actions of this alarm, on alarm and on recovery, besides `alarmTopic` and `WharfAlarms.actions`. @default - none */
  readonly actions?: readonly IAlarmAction[];
}

/**
 * The alarms, each with its own threshold and actions. Per queue: dead letters waiting (threshold 0), a new dead
 * letter since the last minute (threshold 0; fires again for each new arrival after a quiet minute, where the
 * waiting alarm stays in ALARM and notifies once), the oldest dead letter's age (threshold: 75% of the dead-letter
 * retention, so a dead letter is looked at before SQS deletes it), the oldest job's age (`oldestMessageAgeThreshold`),
 * worker errors and throttles (0). Once for the schedule group: deliveries Scheduler could not make (target
 * errors, 0) and invocations it dropped after its retries (0).
 */
export interface WharfAlarms {
  /** Actions of every alarm, besides `alarmTopic`. @default - none */
  readonly actions?: readonly IAlarmAction[];
  readonly deadLetters?: WharfAlarmSettings;
  readonly newDeadLetters?: WharfAlarmSettings;
  readonly deadLetterAge?: WharfAlarmSettings;
  readonly oldestMessage?: WharfAlarmSettings;
  readonly workerErrors?: WharfAlarmSettings;
  readonly workerThrottles?: WharfAlarmSettings;
  readonly schedulerTargetErrors?: WharfAlarmSettings;
  readonly schedulerDropped?: WharfAlarmSettings;
  /** With `outbox`: the relay gave stream records up to its failure queue (threshold 0). */
  readonly outboxFailedRecords?: WharfAlarmSettings;
  /** With `outbox`: the relay's iterator age, in milliseconds (threshold 300 000: entries wait 5 minutes). */
  readonly outboxLag?: WharfAlarmSettings;
  /**
   * One alarm per job type on its dead-letter rate, from the per-job-type metrics, as README
   * "CloudWatch dashboard and alarms per job type" tells; none with `observability.metrics: false`.
   */
  readonly deadLetterRate?: WharfDeadLetterRateAlarms;
}

/** The dead-letter rate alarm of a job type: dead letters over runs, in percent, per period. */
export interface WharfDeadLetterRateSettings extends WharfAlarmSettings {
  /**
   * The dead-letter rate above which the alarm fires, in percent of the period's runs (runs: attempts that ended
   * succeeded, retried, dead-lettered or discarded).
   * @default 5
   */
  readonly threshold?: number;
  /** The period one rate is computed over. @default Duration.minutes(5) */
  readonly period?: Duration;
  /**
   * Runs a period needs before its rate counts: below it the rate reads 0, so one dead letter out of one run
   * does not page (the queue's `deadLetters` alarm still reports every dead letter).
   * @default 10
   */
  readonly minimumRuns?: number;
}

/** The dead-letter rate alarms: settings for every job type, and overrides per job name over them. */
export interface WharfDeadLetterRateAlarms extends WharfDeadLetterRateSettings {
  /**
   * Settings per job name, over the ones above (actions add to them). Names must be jobs of the registry.
   * @default - none
   */
  readonly jobs?: Readonly<Record<string, WharfDeadLetterRateSettings>>;
}

/**
 * What the workers log, measure and trace (README "Observability: logs, metrics, traces, stats and cost").
 * Tracing is WharfJobsProps `tracing`.
 */
export interface WharfObservability {
  /**
   * The CloudWatch namespace of the per-job-type metrics: set on every worker (WHARF_METRICS_NAMESPACE) and read
   * by the dashboard's job-type widgets and the dead-letter rate alarms.
   * @default 'Wharf'
   */
  readonly namespace?: string;
  /**
   * The workers' per-job-type metrics (EMF). `false` turns them off (WHARF_METRICS=off) and leaves out the
   * dashboard's job-type widgets and the dead-letter rate alarms, which would read nothing.
   * @default true
   */
  readonly metrics?: boolean;
  /**
   * The workers' and the outbox relay's log level (POWERTOOLS_LOG_LEVEL), one of Powertools' levels (spelled out
   * here so the cdk entry's surface needs no logger type).
   * @default - Powertools' own: INFO
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

export interface WharfJobsProps {
  /** The jobs to deploy: one queue, dead-letter queue and worker per queue the jobs name. */
  readonly registry: JobRegistry;
  /** Path of the worker's entry file (a module exporting `handler`), e.g. `functions/worker.ts`. */
  readonly workerEntry: string;
  /** The directory esbuild bundles from. @default - the directory of the lock file NodejsFunction finds */
  readonly projectRoot?: string;
  /** Options for every queue. @default - the defaults of each WharfQueueOptions field */
  readonly queueDefaults?: WharfQueueOptions;
  /** Options per queue name, over `queueDefaults`. Names must be queues of the registry. @default - none */
  readonly queues?: Readonly<Record<string, WharfQueueOptions>>;
  /**
   * A customer managed key for the queues and dead-letter queues; every grant includes what it needs on the key.
   * @default - SSE-SQS: encryption at rest with keys SQS owns, no KMS cost or key policy to manage
   */
  readonly encryptionKey?: IKey;
  /**
   * A job table to use instead of creating one. It must have the key names of JOB_TABLE_SCHEMA and its status
   * index; TTL and point-in-time recovery are then its owner's to set.
   * @default - a new table
   */
  readonly table?: ITable;
  /**
   * What happens to the stateful resources (the table, the queues and dead-letter queues, the log groups and the
   * schedule group) when they leave the stack, or a change replaces them (toggling `fifo` replaces a queue).
   * RETAIN keeps waiting jobs and dead letters through a `cdk destroy` or a replacement (infra/README.md, "Removal: what outlives `cdk destroy`").
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Per kind of resource, over `removalPolicy`. @default - `removalPolicy` for each */
  readonly removalPolicies?: WharfRemovalPolicies;
  /**
   * Deletion protection on the job table: DynamoDB refuses to delete it, whoever asks.
   * @default - true unless the table's removal policy is DESTROY
   */
  readonly tableDeletionProtection?: boolean;
  /**
   * A customer managed key for the job table, and the grants on it. With `table`, the key is the table's own
   * (`ITable.encryptionKey`) and this is not used.
   * @default - encryption with a key DynamoDB owns
   */
  readonly tableEncryptionKey?: IKey;
  /**
   * A customer managed key for the workers' log groups; its key policy is given to CloudWatch Logs for them.
   * @default - encryption by CloudWatch Logs
   */
  readonly logEncryptionKey?: IKey;
  /**
   * Where alarms notify, on alarm and on recovery. A topic encrypted with a customer managed key gets a key
   * policy statement that lets CloudWatch use it (without one, the notifications are dropped).
   * @default - alarms without actions
   */
  readonly alarmTopic?: ITopic;
  /** Thresholds and actions per alarm. @default - every alarm, with the thresholds WharfAlarms names */
  readonly alarms?: WharfAlarms;
  /**
   * Age of a queue's oldest message that raises an alarm. Above 15 minutes by default because delayed retries
   * wait in the queue for up to 15 minutes.
   * @default Duration.minutes(30)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /** Retention of the workers' log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * X-Ray tracing of the workers and the outbox relay. Unless DISABLED, they also get POWERTOOLS_TRACE_ENABLED=true
   * (a span per job), and with ACTIVE their roles get the X-Ray write grant.
   * @default Tracing.ACTIVE
   */
  readonly tracing?: Tracing;
  /** Metrics, their namespace and the log level of the workers. @default - metrics on, in namespace `Wharf` */
  readonly observability?: WharfObservability;
  /** The CloudWatch dashboard's name. @default - a name generated by CloudFormation */
  readonly dashboardName?: string;
  /**
   * Which environment this deployment is ("production", "staging"...): a recurring task with `environments` is
   * deployed only where its list names this one (the others are listed in an info annotation at synth). It is
   * also in the names wharf chooses (the schedule group, descriptions), so environments of one app deploy side
   * by side in one account, one stack each.
   * @default - none: then a recurring task limited to `environments` fails synth, as it could never be deployed
   */
  readonly environmentName?: string;
  /**
   * Stack outputs for every queue URL and ARN, the table and the schedule group: what a producer elsewhere or
   * the CLI needs, turned into WHARF_* variables by `wharf env --stack <StackName>`.
   * @default true
   */
  readonly outputs?: boolean;
  /**
   * Enqueue after commit (README "Enqueue after commit"): the job table gets a stream (NEW_IMAGE), and a relay
   * function under `Outbox/` sends the jobs that `client.transactItems` put in a committed transaction, with an
   * on-failure queue (`Outbox/FailedRecords`) and alarms. Give producers `grantOutbox` (configureProducer does).
   * With `table`, that table must have its stream on (NEW_IMAGE or NEW_AND_OLD_IMAGES).
   * @default false
   */
  readonly outbox?: boolean;
  /**
   * Put before every output name, for a second WharfJobs in the same stack (`Billing` -> `BillingQueueUrlDefault`).
   * @default '' (no prefix)
   */
  readonly outputPrefix?: string;
}
