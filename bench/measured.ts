import type { RequestLog } from './aws/request-log';

/** What a measured scenario leaves behind for the request and cost figure. */
export interface Measured {
  readonly label: string;
  readonly log: RequestLog;
  readonly jobs: number;
  readonly lambdaInvocations: number;
  /** Schedules that fired (billed per invocation; the SendMessage each makes is in the log as `scheduler`). */
  readonly schedulerInvocations: number;
  /** DynamoDB tables written, read back afterwards for item sizes. */
  readonly tables: readonly string[];
}
