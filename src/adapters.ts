// `wharf-jobs/adapters`: what an adapter author needs: the engine, the wire format and the ports (store,
// transport, scheduler), for a new queue, store or runtime. Applications need none of it.

export { createEngine } from './engine/engine.js';
export type {
  AckOutcome,
  Disposition,
  Engine,
  EngineOptions,
  ProcessOptions,
  WaitOutcome,
} from './engine/types.js';
export type { DecodeResult } from './envelope/decode.js';
export { decodeEnvelope } from './envelope/decode.js';
export type {
  DeadLetterInfo,
  DeadLetterReason,
  DebounceMark,
  Envelope,
  ErrorCauseSummary,
  ErrorSummary,
  FailureRecord,
  Firing,
} from './envelope/envelope.js';
export { ATTR as MESSAGE_ATTRIBUTES, ENVELOPE_VERSION } from './envelope/envelope.js';
export type { ContextValues } from './schedule/context-attributes.js';
export {
  formatScheduledTime,
  SCHEDULED_TIME,
  substituteContextAttributes,
} from './schedule/context-attributes.js';
export { oneTimeScheduleName, recurringScheduleName } from './schedule/schedule-names.js';
export type {
  JobScheduler,
  OneTimeSchedule,
  RecurringSchedule,
  ScheduleAtResult,
  SchedulePage,
  ScheduleRecord,
} from './schedule/types.js';
export type {
  BatchListPosition,
  BatchListQuery,
  CancelInput,
  CancelRequestResult,
  ClaimInput,
  ClaimResult,
  CountBatchChildInput,
  CountBatchChildResult,
  CreateBatchInput,
  DebounceInput,
  DebounceWindow,
  DeferralNote,
  DeferralWhy,
  FailedInput,
  JobRecord,
  JobStatus,
  JobStore,
  ListQuery,
  NoteDeferralInput,
  PauseKind,
  PauseRecord,
  PauseTarget,
  RecordStart,
  ResizeBatchInput,
  ResizeBatchResult,
  RunRef,
  SkipInput,
  SlotInput,
  SlotRef,
  SlotResult,
  StepInput,
  StepMap,
  StoredStep,
  SucceededInput,
  SuspendInput,
  TakeDebounceInput,
  TakeDebounceResult,
  ThrottleInput,
  ThrottleResult,
  UniqueInput,
  UniqueRef,
  UniqueResult,
} from './store/types.js';
export type {
  HeldMessage,
  HoldOptions,
  MoveTask,
  MoveTaskAdmin,
  MoveTaskStart,
  MoveTaskStatus,
  QueueAdmin,
  QueueCounts,
} from './transport/admin-types.js';
export type {
  AckFailure,
  Consumer,
  OutgoingMessage,
  QueueKind,
  ReceivedMessage,
  ReceiveOptions,
  SendOutcome,
  Transport,
} from './transport/types.js';
