import type { Duration } from './duration.js';
import { parseDuration } from './duration.js';

/**
 * How many runs of a job may be running at once, across every worker process and Lambda invocation. `key`
 * narrows it: runs count together only when their payloads give the same key (`(p) => p.accountId`).
 */
export interface ConcurrencyLimit<P> {
  /** Runs at once, 1 to 1000. */
  readonly limit: number;
  /** @default the whole job type shares one limit */
  readonly key?: (payload: P) => string;
}

/**
 * How many runs of a job may start per `period`. Starts are spaced `period / limit` apart (GCRA), so no window of
 * one `period` ever holds more than `limit` starts; `burst` lets that many more start at once after a quiet time,
 * so any one `period` holds at most `limit + burst`.
 */
export interface ThrottleLimit<P> {
  /** Starts per period, 1 to 10,000. */
  readonly limit: number;
  /** 1 second to 1 day. */
  readonly period: Duration;
  /** @default the whole job type shares one throttle */
  readonly key?: (payload: P) => string;
  /** Starts allowed at once above the steady spacing. @default 0 */
  readonly burst?: number;
}

export interface ResolvedConcurrency {
  readonly limit: number;
  readonly key?: (payload: unknown) => string;
}

export interface ResolvedThrottle {
  readonly limit: number;
  readonly periodMs: number;
  readonly burst: number;
  readonly key?: (payload: unknown) => string;
}

/** The flow-control part of a job's options, resolved (see ResolvedJobOptions). */
export interface ResolvedFlowControl {
  readonly concurrency?: ResolvedConcurrency;
  readonly throttle?: ResolvedThrottle;
  /** SQS fair queues: the tenant names the message's MessageGroupId on a standard queue. */
  readonly tenant?: (payload: unknown) => string;
  /** FIFO queues: the message group, run in order one at a time. */
  readonly group?: (payload: unknown) => string;
  /** The priority lane a job is sent to when its enqueue names none. */
  readonly priority?: string;
}

export interface FlowControlInput {
  readonly concurrency?: unknown;
  readonly throttle?: unknown;
  readonly tenant?: unknown;
  readonly group?: unknown;
  readonly priority?: unknown;
}

export const LANE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

/** Checks the flow-control options; every problem is pushed onto `problems`, none thrown. */
export function resolveFlowControl(input: FlowControlInput, problems: string[]): ResolvedFlowControl {
  const concurrency = resolveConcurrency(input.concurrency, problems);
  const throttle = resolveThrottle(input.throttle, problems);
  const tenant = keyFunction(input.tenant, 'tenant', problems);
  const group = keyFunction(input.group, 'group', problems);
  if (group && (concurrency || throttle || tenant))
    problems.push(
      'group: a job with a FIFO message group cannot also have concurrency, throttle or tenant: its group already runs one message at a time in order, and a limit would put a message off in place, holding its whole group back',
    );
  const priority = input.priority;
  if (priority !== undefined && (typeof priority !== 'string' || !LANE_NAME_PATTERN.test(priority)))
    problems.push(
      `priority: expected a lane name (1-20 lowercase letters, digits or "-" starting with a letter), received ${JSON.stringify(priority)}`,
    );
  return {
    ...(concurrency ? { concurrency } : {}),
    ...(throttle ? { throttle } : {}),
    ...(tenant ? { tenant } : {}),
    ...(group ? { group } : {}),
    ...(typeof priority === 'string' ? { priority } : {}),
  };
}

function resolveConcurrency(value: unknown, problems: string[]): ResolvedConcurrency | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(`concurrency: expected { limit, key? }, received ${JSON.stringify(value)}`);
    return undefined;
  }
  unknownKeys(value, ['limit', 'key'], 'concurrency', problems);
  const { limit } = value;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 1000)
    problems.push(`concurrency.limit: expected an integer from 1 to 1000, received ${JSON.stringify(limit)}`);
  const key = keyFunction(value.key, 'concurrency.key', problems);
  return { limit: limit as number, ...(key ? { key } : {}) };
}

function resolveThrottle(value: unknown, problems: string[]): ResolvedThrottle | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(`throttle: expected { limit, period, key?, burst? }, received ${JSON.stringify(value)}`);
    return undefined;
  }
  unknownKeys(value, ['limit', 'period', 'key', 'burst'], 'throttle', problems);
  const { limit, burst = 0 } = value;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 10_000)
    problems.push(`throttle.limit: expected an integer from 1 to 10000, received ${JSON.stringify(limit)}`);
  if (!Number.isInteger(burst) || (burst as number) < 0 || (burst as number) > 10_000)
    problems.push(`throttle.burst: expected an integer from 0 to 10000, received ${JSON.stringify(burst)}`);
  const period = parseDuration(value.period);
  let periodMs = 60_000;
  if ('problem' in period) problems.push(`throttle.period: ${period.problem}`);
  else if (period.ms < 1_000 || period.ms > 86_400_000)
    problems.push(`throttle.period: must be between 1s and 1d, received ${period.ms} ms`);
  else periodMs = period.ms;
  const key = keyFunction(value.key, 'throttle.key', problems);
  return { limit: limit as number, periodMs, burst: burst as number, ...(key ? { key } : {}) };
}

function keyFunction(
  value: unknown,
  field: string,
  problems: string[],
): ((payload: unknown) => string) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    problems.push(
      `${field}: expected a function of the payload returning a string, received ${typeof value}`,
    );
    return undefined;
  }
  return value as (payload: unknown) => string;
}

function unknownKeys(value: Record<string, unknown>, known: string[], field: string, problems: string[]) {
  for (const key of Object.keys(value))
    if (!known.includes(key)) problems.push(`${field}: unknown option "${key}" (known: ${known.join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
