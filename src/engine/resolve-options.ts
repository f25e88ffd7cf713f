import { systemClock } from '../clock.js';
import { ConfigError } from '../errors.js';
import { toMs } from '../job/duration.js';
import { fanOut } from '../observe/fan-out.js';
import { jobSpans } from '../observe/job-spans.js';
import { lifecycleLog } from '../observe/lifecycle-log.js';
import { ErrorReports } from './error-reporter.js';
import { PauseCache } from './pause-cache.js';
import type { EngineOptions } from './types.js';

export type ResolvedEngineOptions = ReturnType<typeof resolveEngineOptions>;

/** Every engine default, resolved in one place. */
export function resolveEngineOptions(options: EngineOptions) {
  const needStore = options.registry.jobs.filter((job) => job.options.idempotency !== 'off');
  if (needStore.length > 0 && !options.store) {
    throw new ConfigError(
      `Jobs ${needStore.map((j) => `"${j.name}"`).join(', ')} record state (idempotency "tracked" or "exactly-once") ` +
        'but the engine has no store: pass `store`, or set `idempotency: "off"` on those jobs.',
    );
  }
  const limited = options.registry.jobs.filter(
    (job) => job.options.flow.concurrency || job.options.flow.throttle,
  );
  if (limited.length > 0 && !options.store) {
    throw new ConfigError(
      `Jobs ${limited.map((j) => `"${j.name}"`).join(', ')} have a concurrency limit or a throttle, kept in the job ` +
        'store, but the engine has no store: pass `store`.',
    );
  }
  const grouped = options.registry.jobs.filter((job) => job.options.flow.group);
  if (grouped.length > 0 && !options.store) {
    throw new ConfigError(
      `Jobs ${grouped.map((j) => `"${j.name}"`).join(', ')} have a FIFO group, whose retries wait in place and count ` +
        'their attempts in the job store, but the engine has no store: pass `store`.',
    );
  }
  return {
    registry: options.registry,
    transport: options.transport,
    store: options.store,
    scheduler: options.scheduler,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    onEvent: fanOut([
      options.onEvent,
      options.logger && options.lifecycleLogs !== false ? lifecycleLog(options.logger) : undefined,
      options.metrics?.listener,
      jobSpans(options.tracer),
    ]),
    /** The base of every run's `ctx.logger`; none means the fallback JSON lines. */
    logger: options.logger,
    aroundProcess: options.aroundProcess,
    /** The process-wide error reporter's calls (error-reporter.ts); none without `reportError`. */
    reports: options.reportError ? new ErrorReports(options.reportError) : undefined,
    unknownJobDeferrals: options.unknownJobDeferrals ?? 3,
    unknownJobDelayMs: toMs(options.unknownJobDelay ?? '1m', 'unknownJobDelay'),
    deadlineSafetyMs: toMs(options.deadlineSafety ?? '3s', 'deadlineSafety'),
    recordRetentionMs: toMs(options.recordRetention ?? '7d', 'recordRetention'),
    /** A lease outlives the attempt's budget by this much, so a live run never loses it to a takeover. */
    leaseMarginMs: toMs(options.leaseMargin ?? '10s', 'leaseMargin'),
    /** Paused queues and job types, read at most once per `pauseRefresh`; none without a store. */
    pauses: options.store
      ? new PauseCache(options.store, toMs(options.pauseRefresh ?? '5s', 'pauseRefresh'))
      : undefined,
    /** How often a long run reads its record for a `cancel` (cancel-watch.ts); never when absent. */
    cancelCheckMs:
      options.cancelCheck === undefined || options.cancelCheck === false
        ? undefined
        : toMs(options.cancelCheck, 'cancelCheck'),
    /** Below this much time before the deadline a job is not started at all. */
    minRunMs: 1_000,
  };
}
