import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { JobRegistry } from '../job/registry.js';

/**
 * How one queue, its dead-letter queue and its worker are configured. Every option has a default derived from
 * the jobs on the queue; setting one is an override, and the synth-time lint still checks the result.
 */
export interface WharfQueueOptions {
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
  /** What happens to the job table when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Where alarms notify, on alarm and on recovery. @default - alarms without actions */
  readonly alarmTopic?: ITopic;
  /**
   * Age of a queue's oldest message that raises an alarm. Above 15 minutes by default because delayed retries
   * wait in the queue for up to 15 minutes.
   * @default Duration.minutes(30)
   */
  readonly oldestMessageAgeThreshold?: Duration;
  /** Retention of the workers' log groups. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** X-Ray tracing of the workers. @default Tracing.ACTIVE */
  readonly tracing?: Tracing;
  /** The CloudWatch dashboard's name. @default - a name generated by CloudFormation */
  readonly dashboardName?: string;
  /**
   * Which environment this deployment is ("production", "staging"...): a recurring task with `environments` is
   * deployed only where its list names this one (the others are listed in an info annotation at synth).
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
   * Put before every output name, for a second WharfJobs in the same stack (`Billing` -> `BillingQueueUrlDefault`).
   * @default '' (no prefix)
   */
  readonly outputPrefix?: string;
}
