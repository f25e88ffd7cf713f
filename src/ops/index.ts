// The operations API shared by the `wharf` CLI and the dashboard (DESIGN: ops/).

export type { MetricOutcome } from '../observe/metric-names.js';
export { OUTCOME_METRICS } from '../observe/metric-names.js';
export type { AwsOps, AwsOpsOptions } from './aws-ops.js';
export { createAwsOps, queuesFromEnv } from './aws-ops.js';
export { batchCallbacksText, batchCountsText, batchProgressText, batchStateText } from './batch-text.js';
export type { BatchCallbackState, BatchCallbackView, BatchPage, BatchView } from './batch-view.js';
export { cancelText } from './cancel-text.js';
export type { OpsOptions, StatsSource } from './create-ops.js';
export { createOps } from './create-ops.js';
export { deferralText } from './deferral-text.js';
export { flowText } from './flow-text.js';
export type { CostInputs } from './job-cost.js';
export { costPer1000Runs, DEFAULT_WORKER_MEMORY_MB, WRITE_UNITS_PER_RUN } from './job-cost.js';
export type { LocalOpsOptions } from './local-ops.js';
export { createLocalOps } from './local-ops.js';
export { PRICES } from './prices.js';
export { printable, safeJson } from './printable.js';
export type { QueueConsumers, QueueConsumerView } from './queue-consumers.js';
export { REDACTED, redact } from './redact.js';
export type { ScheduleList, ScheduleSource, ScheduleView } from './schedule-source.js';
export type { ScheduleEntryView, ScheduleOpsOptions } from './schedules.js';
export { createScheduleSource, listSchedules, runRecurringNow } from './schedules.js';
export type { JobCost, JobSeries, JobStatsRow, StatsPoint, StatsQuery, StatsReport } from './stats-types.js';
export type { StatsWindow } from './stats-window.js';
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
