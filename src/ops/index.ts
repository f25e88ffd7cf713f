// The operations API shared by the `wharf` CLI and the dashboard (DESIGN: ops/).

export type { AwsOps, AwsOpsOptions } from './aws-ops';
export { createAwsOps, queuesFromEnv } from './aws-ops';
export type { OpsOptions } from './create-ops';
export { createOps } from './create-ops';
export type { LocalOpsOptions } from './local-ops';
export { createLocalOps } from './local-ops';
export { printable, safeJson } from './printable';
export { REDACTED, redact } from './redact';
export type { ScheduleList, ScheduleSource, ScheduleView } from './schedule-source';
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
  JobDetail,
  JobPage,
  Ops,
  QueueOverview,
  RedriveMethod,
  Selection,
} from './types';
