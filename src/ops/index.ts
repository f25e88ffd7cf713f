// The operations API shared by the `wharf` CLI and the dashboard (DESIGN: ops/).

export type { AwsOps, AwsOpsOptions } from './aws-ops.js';
export { createAwsOps, queuesFromEnv } from './aws-ops.js';
export { batchCallbacksText, batchCountsText, batchProgressText, batchStateText } from './batch-text.js';
export type { BatchCallbackState, BatchCallbackView, BatchPage, BatchView } from './batch-view.js';
export { cancelText } from './cancel-text.js';
export type { OpsOptions } from './create-ops.js';
export { createOps } from './create-ops.js';
export { deferralText } from './deferral-text.js';
export { flowText } from './flow-text.js';
export type { LocalOpsOptions } from './local-ops.js';
export { createLocalOps } from './local-ops.js';
export { printable, safeJson } from './printable.js';
export type { QueueConsumers, QueueConsumerView } from './queue-consumers.js';
export { REDACTED, redact } from './redact.js';
export type { ScheduleList, ScheduleSource, ScheduleView } from './schedule-source.js';
export type { ScheduleEntryView, ScheduleOpsOptions } from './schedules.js';
export { createScheduleSource, listSchedules, runRecurringNow } from './schedules.js';
export type {
  BulkFailure,
  BulkItem,
  BulkOptions,
  BulkProgress,
  BulkReport,
  DeadLetterKind,
  DeadLetterList,
  DeadLetterView,
  EnqueueInput,
  JobCounts,
  JobDetail,
  JobPage,
  Ops,
  Pausable,
  PauseReport,
  PauseView,
  QueueOverview,
  RedriveMethod,
  Selection,
} from './types.js';
