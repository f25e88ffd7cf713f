/**
 * The only file of the library that imports the EventBridge Scheduler client (DESIGN: "exactly one file imports
 * each AWS SDK client"), so the Scheduler surface wharf depends on is this list.
 */

export type {
  CreateScheduleInput,
  GetScheduleOutput,
  SchedulerClientConfig,
  ScheduleSummary,
  Target,
  UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
export {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
