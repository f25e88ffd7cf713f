// The public surface of `wharf`, listed by name. Heavy parts (AWS adapters, CDK, local engine, testing) live
// behind subpaths: wharf/aws, wharf/lambda, wharf/worker, wharf/local, wharf/testing, wharf/cdk.

export type { ClientOptions } from './client/client';
export { createClient } from './client/client';
export { setDefaultEnqueuer } from './client/default-enqueuer';
export { performAllLater } from './client/perform-all-later';
export type {
  CancelResult,
  EnqueuedJob,
  EnqueueFailure,
  EnqueueManyResult,
  EnqueueRequest,
  Enqueuer,
  RescheduleOptions,
  RescheduleResult,
  WharfClient,
} from './client/types';
export type { Clock } from './clock';
export { systemClock } from './clock';
export type { QueueUrls, SchedulerConfig, WharfConfig } from './config/env-config';
export {
  configFromEnv,
  deadLetterArnVariable,
  deadLetterUrlVariable,
  queueArnVariable,
  queueUrlVariable,
} from './config/env-config';
export { createEngine } from './engine/engine';
export type { JobEvent, JobEventListener, JobEventType } from './engine/events';
export type { AckOutcome, Disposition, Engine, EngineOptions, ProcessOptions } from './engine/types';
export type { DecodeResult } from './envelope/decode';
export { decodeEnvelope } from './envelope/decode';
export type {
  DeadLetterInfo,
  DeadLetterReason,
  Envelope,
  ErrorSummary,
  FailureRecord,
  Firing,
} from './envelope/envelope';
export { ATTR as MESSAGE_ATTRIBUTES } from './envelope/envelope';
export type { WharfErrorCode } from './errors';
export {
  ConfigError,
  DiscardJobError,
  hasCode,
  InvalidOptionsError,
  InvalidPayloadError,
  JobTimeoutError,
  LeaseLostError,
  RetryAfterError,
  StoreUnavailableError,
  WharfError,
} from './errors';
export type { BackoffPolicy } from './job/backoff';
export { backoffDelayMs } from './job/backoff';
export type { JobDefinition, ResolvedJobOptions } from './job/define-job';
export { defineJob } from './job/define-job';
export type { Duration } from './job/duration';
export type { JobRegistry, RegistryOptions } from './job/registry';
export { createRegistry } from './job/registry';
export type {
  EnqueueOptions,
  ErrorMatcher,
  IdempotencyMode,
  JobContext,
  JobOptions,
  JobProgress,
  PayloadInput,
  PayloadOutput,
  RetryPolicy,
} from './job/types';
export type { ScheduleEntryView, ScheduleOpsOptions } from './ops/schedules';
export { createScheduleSource, listSchedules, runRecurringNow } from './ops/schedules';
export {
  formatScheduledTime,
  SCHEDULED_TIME,
  substituteContextAttributes,
} from './schedule/context-attributes';
export type { RecurringOptions, RecurringTask } from './schedule/define-recurring';
export { defineRecurring, firingJobId, isActiveIn } from './schedule/define-recurring';
export { nextRunAfter, nextRuns } from './schedule/next-run';
export type { ParsedSchedule } from './schedule/parse-schedule';
export { parseSchedule } from './schedule/parse-schedule';
export { oneTimeScheduleName, recurringScheduleName } from './schedule/schedule-names';
export type {
  JobScheduler,
  OneTimeSchedule,
  RecurringSchedule,
  ScheduleAtResult,
  SchedulePage,
  ScheduleRecord,
} from './schedule/types';
export type { ClaimResult, JobRecord, JobStatus, JobStore } from './store/types';
export type { Consumer, OutgoingMessage, ReceivedMessage, SendOutcome, Transport } from './transport/types';
