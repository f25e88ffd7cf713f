/**
 * EventBridge Scheduler's context attributes: keywords in a target's Input that Scheduler replaces with text when
 * it invokes the target. `scheduled-time` is the same on every retry of one firing, so it is what a firing is
 * deduplicated on; `execution-id` changes with each attempt and must never be.
 */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
export const SCHEDULE_ARN = '<aws.scheduler.schedule-arn>';
export const EXECUTION_ID = '<aws.scheduler.execution-id>';
export const ATTEMPT_NUMBER = '<aws.scheduler.attempt-number>';

export interface ContextValues {
  /** Epoch ms of the firing (formatted as Scheduler does: `2026-03-22T18:59:00Z`). */
  readonly scheduledTimeMs: number;
  readonly scheduleArn: string;
  readonly executionId: string;
  readonly attemptNumber: number;
}

/**
 * Replaces every context attribute in `input` as Scheduler does at invocation: plain text substitution, wherever
 * the keyword stands (inside JSON strings in wharf's templates). Used by the in-memory scheduler when it fires,
 * and by tests that play a firing of a real schedule's Input.
 */
export function substituteContextAttributes(input: string, values: ContextValues): string {
  return input
    .replaceAll(SCHEDULED_TIME, formatScheduledTime(values.scheduledTimeMs))
    .replaceAll(SCHEDULE_ARN, values.scheduleArn)
    .replaceAll(EXECUTION_ID, values.executionId)
    .replaceAll(ATTEMPT_NUMBER, String(values.attemptNumber));
}

/** `2026-03-22T18:59:00Z`: ISO 8601 in UTC to the second, the form of Scheduler's `scheduled-time`. */
export function formatScheduledTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
