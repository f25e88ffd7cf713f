// The public surface of `wharf`, listed by name. Heavy parts (AWS adapters, CDK, local engine, testing) live
// behind subpaths: wharf/aws, wharf/lambda, wharf/worker, wharf/local, wharf/testing, wharf/cdk.
export { defineJob } from './job/define-job';
export type { JobDefinition, ResolvedJobOptions } from './job/define-job';
export { createRegistry } from './job/registry';
export type { JobRegistry } from './job/registry';
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
export type { BackoffPolicy } from './job/backoff';
export { backoffDelayMs } from './job/backoff';
export type { Duration } from './job/duration';
export { createClient } from './client/client';
export type { ClientOptions } from './client/client';
export { setDefaultEnqueuer } from './client/default-enqueuer';
export { performAllLater } from './client/perform-all-later';
export type { EnqueuedJob, EnqueueFailure, Enqueuer, EnqueueManyResult, EnqueueRequest } from './client/types';
export { createEngine } from './engine/engine';
export type { AckOutcome, Disposition, Engine, EngineOptions, ProcessOptions } from './engine/types';
export type { JobEvent, JobEventListener, JobEventType } from './engine/events';
export type { DeadLetterInfo, DeadLetterReason, Envelope, ErrorSummary, FailureRecord } from './envelope/envelope';
export { ATTR as MESSAGE_ATTRIBUTES } from './envelope/envelope';
export { decodeEnvelope } from './envelope/decode';
export type { DecodeResult } from './envelope/decode';
export type { Clock } from './clock';
export { systemClock } from './clock';
export type { ClaimResult, JobRecord, JobStatus, JobStore } from './store/types';
export type { Consumer, OutgoingMessage, ReceivedMessage, SendOutcome, Transport } from './transport/types';
export { configFromEnv, deadLetterUrlVariable, queueUrlVariable } from './config/env-config';
export type { QueueUrls, WharfConfig } from './config/env-config';
export {
  ConfigError,
  DiscardJobError,
  InvalidOptionsError,
  InvalidPayloadError,
  JobTimeoutError,
  LeaseLostError,
  RetryAfterError,
  StoreUnavailableError,
  WharfError,
  hasCode,
} from './errors';
export type { WharfErrorCode } from './errors';
