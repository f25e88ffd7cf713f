// `wharf-jobs`: the API an application writes with: define jobs, enqueue them, recurring tasks, errors and their
// types. Everything else is behind a subpath, so that importing this entry loads no AWS SDK:
//   wharf-jobs/aws       the AWS runtime (SQS, DynamoDB, Scheduler) built from the environment
//   wharf-jobs/lambda    the Lambda worker (middy)          wharf-jobs/worker    the long-running worker
//   wharf-jobs/local     the embedded engine                wharf-jobs/testing   helpers for unit tests
//   wharf-jobs/ops       dead letters, jobs, schedules      wharf-jobs/dashboard the web dashboard
//   wharf-jobs/cdk       the WharfJobs construct            wharf-jobs/adapters  engine, envelope and ports

export type { ClientOptions } from './client/client.js';
export { createClient } from './client/client.js';
export { setDefaultEnqueuer } from './client/default-enqueuer.js';
export { performAllLater } from './client/perform-all-later.js';
export { performBatch } from './client/perform-batch.js';
export type {
  BatchOptions,
  BatchResult,
  CancelResult,
  EnqueuedJob,
  EnqueueFailure,
  EnqueueManyResult,
  EnqueueRequest,
  Enqueuer,
  JobRef,
  JobResultOf,
  OutboxAttributeValue,
  OutboxTransactItem,
  RescheduleOptions,
  RescheduleResult,
  TransactItemsOptions,
  WaitForOptions,
  WaitOutcome,
  WharfClient,
} from './client/types.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { defineJob } from './define-job.js';
export type { ErrorReport, ErrorReporter } from './engine/error-reporter.js';
export type {
  DeferWhy,
  EventBase as JobEventBase,
  JobEvent,
  JobEventListener,
  JobEventType,
} from './engine/events.js';
export type { WharfErrorCode } from './errors.js';
export {
  ConfigError,
  ConflictError,
  DiscardJobError,
  EnqueueFailedError,
  HookError,
  hasCode,
  InvalidAttemptError,
  InvalidEventError,
  InvalidOptionsError,
  InvalidPayloadError,
  JobIdReusedError,
  JobTimeoutError,
  LeaseLostError,
  NotFoundError,
  NotIdleError,
  RetryAfterError,
  SchedulerError,
  StepError,
  StoreUnavailableError,
  TransportError,
  UnknownJobError,
  WharfError,
} from './errors.js';
export type { BackoffPolicy, Random } from './job/backoff.js';
export { backoffDelayMs } from './job/backoff.js';
export type { JobDefinition, ResolvedJobOptions, ResolvedRetryRule } from './job/define-job.js';
export type { Duration, DurationUnit } from './job/duration.js';
export type {
  DebounceOption,
  ResolvedDebounce,
  ResolvedEnqueueControl,
  ResolvedUnique,
  UniqueOption,
} from './job/enqueue-control.js';
export type {
  ConcurrencyLimit,
  ResolvedConcurrency,
  ResolvedFlowControl,
  ResolvedThrottle,
  ThrottleLimit,
} from './job/flow-control.js';
export type {
  DeadInfo,
  FailureInfo,
  FailureOutcome,
  JobHooks,
  ResolvedJobHooks,
} from './job/hooks.js';
export type { JobLogger, LogAttributes, LogLevel } from './job/job-logger.js';
export type { Lane, LaneDeclaration, LaneMap, QueueLanes } from './job/lanes.js';
export type { JobRegistry, RegistryOptions } from './job/registry.js';
export { createRegistry } from './job/registry.js';
export type { ResolvedSteps } from './job/steps-option.js';
export type {
  EnqueueOptions,
  ErrorMatcher,
  IdempotencyMode,
  JobBatch,
  JobContext,
  JobOptions,
  JobProgress,
  Jsonified,
  PayloadInput,
  PayloadOutput,
  RetryPolicy,
  RetryRule,
  StepsOption,
} from './job/types.js';
export type { JobMetricsOptions } from './observe/job-metrics.js';
export { JobMetrics } from './observe/job-metrics.js';
export { lifecycleLog } from './observe/lifecycle-log.js';
export { jsonLinesLogger } from './observe/logger.js';
export type { MetricOutcome } from './observe/metric-names.js';
export {
  ATTEMPTS_METRIC,
  DEFAULT_METRICS_NAMESPACE,
  DURATION_METRIC,
  JOB_DIMENSIONS,
  LATENCY_METRIC,
  OUTCOME_METRICS,
} from './observe/metric-names.js';
export { type TraceHeaderSource, traceHeaderFrom, traceRootOf } from './observe/trace-header.js';
export type { JobTracer, TraceSegment, TraceSubsegment } from './observe/trace-types.js';
export type { AwsExpression, RateUnit } from './schedule/aws-expression.js';
export type { RecurringOptions, RecurringTask } from './schedule/define-recurring.js';
export { defineRecurring, firingJobId, isActiveIn } from './schedule/define-recurring.js';
export { nextRunAfter, nextRuns } from './schedule/next-run.js';
export type { ParsedSchedule } from './schedule/parse-schedule.js';
export { parseSchedule } from './schedule/parse-schedule.js';
export { BATCH_CALLBACKS, BATCH_OUTCOMES } from './store/batch-types.js';
export type {
  BatchCallback,
  BatchCallbackKind,
  BatchOutcome,
  BatchRecord,
  DeferralNote,
  DeferralWhy,
  JobRecord,
  JobStatus,
  StepMap,
  StoredStep,
} from './store/types.js';
export { JOB_STATUSES } from './store/types.js';
