/**
 * Recurring schedules as ops sees them. The schedules themselves (definitions, EventBridge Scheduler sync) belong
 * to schedule/; this is the narrow view the CLI and dashboard need, so ops does not depend on how they are kept.
 */
export interface ScheduleView {
  /** The recurring task's key, or a waiting one-time job's id: what `runNow` takes. */
  readonly name: string;
  readonly kind?: 'one-time' | 'recurring';
  readonly job: string;
  readonly queue?: string;
  /** cron(...), rate(...) or at(...), as defined. */
  readonly expression: string;
  readonly timezone?: string;
  readonly enabled: boolean;
  /** A paused (disabled) schedule: since when, as far as it is known (see PauseView.sinceMs). */
  readonly pausedSinceMs?: number;
  /** The next few run times, epoch ms, soonest first. */
  readonly nextRunsMs: readonly number[];
  readonly description?: string;
}

export interface ScheduleList {
  /** False when no schedule source is configured: the CLI and dashboard say "no schedules" rather than "none". */
  readonly available: boolean;
  readonly items: readonly ScheduleView[];
}

export interface ScheduleSource {
  list(): Promise<readonly ScheduleView[]>;
  /** Enqueues the schedule's job now, as if it had fired; absent where that is not possible. */
  runNow?(name: string): Promise<{ readonly jobId: string }>;
  /**
   * Pauses (`false`) or resumes (`true`) a recurring schedule; returns it as it now stands and whether it
   * changed, or undefined when there is no such recurring task. Absent where schedules cannot be changed here.
   */
  setEnabled?(
    name: string,
    enabled: boolean,
  ): Promise<{ readonly schedule: ScheduleView; readonly changed: boolean } | undefined>;
}
