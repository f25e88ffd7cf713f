import type { Duration } from './duration.js';
import { parseDuration } from './duration.js';

/**
 * One job per key at a time (README "Unique jobs"): an enqueue whose key is held is not sent, and its result
 * says `duplicate` with the job id that holds the key.
 */
export interface UniqueOption<P> {
  /** The key, from the payload (`(p) => p.orderId`); scoped by job name. */
  readonly key: (payload: P) => string;
  /**
   * When the key is free again: when the job starts (`'started'`), when it ends whatever the outcome
   * (`'finished'`: succeeded, dead, discarded, expired or cancelled), or a time after the enqueue (`{ for: '10m' }`)
   * whatever the job does.
   */
  readonly until: 'started' | 'finished' | { readonly for: Duration };
  /**
   * The longest a key stays held after the job is due, for `'started'` and `'finished'`: a crash between the
   * enqueue's lock and its send, or a job lost to an operator's purge, never locks a key forever.
   * @default '1d'
   */
  readonly lockTimeout?: Duration;
}

/**
 * Enqueues within `wait` of each other collapse into one run with the last payload, at most `maxWait` after the
 * first (README "Debounce").
 */
export interface DebounceOption<P> {
  /** The key, from the payload (`(p) => p.docId`); scoped by job name. */
  readonly key: (payload: P) => string;
  /**
   * Quiet time after the last enqueue before the run: 1 second to 15 minutes, so every enqueue's message waits
   * on SQS's own delay (a Scheduler schedule is one per job id, and a burst shares one id).
   */
  readonly wait: Duration;
  /** The longest the first enqueue of a burst waits, however many follow. @default no limit */
  readonly maxWait?: Duration;
}

export interface ResolvedUnique {
  readonly key: (payload: unknown) => string;
  readonly until: 'started' | 'finished' | 'window';
  /** How long after the job is due the lock expires on its own: the window for `{ for }`, `lockTimeout` otherwise. */
  readonly lockMs: number;
}

export interface ResolvedDebounce {
  readonly key: (payload: unknown) => string;
  readonly waitMs: number;
  readonly maxWaitMs?: number;
}

/** What decides whether, and as what, an enqueue becomes a run: unique, debounce, expiry. */
export interface ResolvedEnqueueControl {
  readonly unique?: ResolvedUnique;
  readonly debounce?: ResolvedDebounce;
  /** A job not started this long after it is due is recorded `expired` and never runs. */
  readonly expiresInMs?: number;
}

export interface EnqueueControlInput {
  readonly unique?: unknown;
  readonly debounce?: unknown;
  readonly expiresIn?: unknown;
  readonly jobId?: unknown;
  readonly idempotency?: unknown;
  readonly group?: unknown;
}

const DAY_MS = 86_400_000;
const DEFAULT_LOCK_TIMEOUT_MS = DAY_MS;

/** Checks unique, debounce and expiresIn; every problem is pushed onto `problems`, none thrown. */
export function resolveEnqueueControl(
  input: EnqueueControlInput,
  problems: string[],
): ResolvedEnqueueControl {
  const unique = resolveUnique(input.unique, problems);
  const debounce = resolveDebounce(input.debounce, problems);
  const expiresInMs = resolveExpiresIn(input.expiresIn, 'expiresIn', problems);
  // On what is declared, valid or not: every problem at once.
  const declaresUnique = input.unique !== undefined;
  const declaresDebounce = input.debounce !== undefined;
  if (declaresUnique && declaresDebounce)
    problems.push(
      'unique and debounce: give one. Debounce already makes a burst one run; a unique key would refuse the enqueues that debounce folds in',
    );
  if (declaresDebounce && input.jobId !== undefined)
    problems.push(
      'debounce: a debounced job cannot have a jobId function: the first enqueue of a burst names the job, and the later ones fold into it',
    );
  if (declaresDebounce && input.group !== undefined)
    problems.push(
      "debounce: not on a FIFO queue (a group): every message of a burst carries the burst's job id, and FIFO deduplication would drop the later ones",
    );
  if ((declaresUnique || declaresDebounce) && input.idempotency === 'off')
    problems.push(
      `${declaresUnique ? 'unique' : 'debounce'}: needs job state (the key is an item in the job table), so it cannot go with idempotency: 'off'`,
    );
  return {
    ...(unique ? { unique } : {}),
    ...(debounce ? { debounce } : {}),
    ...(expiresInMs === undefined ? {} : { expiresInMs }),
  };
}

/** An `expiresIn` of a job or an enqueue: 1 second to 30 days. */
export function resolveExpiresIn(value: unknown, field: string, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value as Duration);
  if ('problem' in parsed) {
    problems.push(`${field}: ${parsed.problem}`);
    return undefined;
  }
  if (parsed.ms < 1_000 || parsed.ms > 30 * DAY_MS) {
    problems.push(`${field}: must be between 1s and 30d, received ${parsed.ms} ms`);
    return undefined;
  }
  return parsed.ms;
}

function resolveUnique(value: unknown, problems: string[]): ResolvedUnique | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(`unique: expected { key, until, lockTimeout? }, received ${JSON.stringify(value)}`);
    return undefined;
  }
  unknownKeys(value, ['key', 'until', 'lockTimeout'], 'unique', problems);
  const key = keyFunction(value.key, 'unique.key', problems);
  const lockTimeout = durationBetween(value.lockTimeout, 'unique.lockTimeout', 1_000, 30 * DAY_MS, problems);
  const { until } = value;
  if (until === 'started' || until === 'finished')
    return key && { key, until, lockMs: lockTimeout ?? DEFAULT_LOCK_TIMEOUT_MS };
  if (isObject(until) && Object.keys(until).length === 1 && 'for' in until) {
    const windowMs = durationBetween(until.for, 'unique.until.for', 1_000, 30 * DAY_MS, problems);
    if (lockTimeout !== undefined)
      problems.push('unique.lockTimeout: only for until "started" or "finished"; { for } is its own timeout');
    return key && windowMs !== undefined ? { key, until: 'window', lockMs: windowMs } : undefined;
  }
  problems.push(
    `unique.until: expected 'started', 'finished' or { for: '10m' }, received ${JSON.stringify(until)}`,
  );
  return undefined;
}

function resolveDebounce(value: unknown, problems: string[]): ResolvedDebounce | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(`debounce: expected { key, wait, maxWait? }, received ${JSON.stringify(value)}`);
    return undefined;
  }
  unknownKeys(value, ['key', 'wait', 'maxWait'], 'debounce', problems);
  const key = keyFunction(value.key, 'debounce.key', problems);
  if (value.wait === undefined) problems.push('debounce.wait: required (the quiet time before the run)');
  const waitMs = durationBetween(value.wait, 'debounce.wait', 1_000, 15 * 60_000, problems);
  const maxWaitMs = durationBetween(value.maxWait, 'debounce.maxWait', 1_000, 30 * DAY_MS, problems);
  if (waitMs !== undefined && maxWaitMs !== undefined && maxWaitMs < waitMs)
    problems.push(`debounce.maxWait: must be at least wait (${waitMs} ms), received ${maxWaitMs} ms`);
  if (!key || waitMs === undefined) return undefined;
  return { key, waitMs, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) };
}

function durationBetween(
  value: unknown,
  field: string,
  minMs: number,
  maxMs: number,
  problems: string[],
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value as Duration);
  if ('problem' in parsed) {
    problems.push(`${field}: ${parsed.problem}`);
    return undefined;
  }
  if (parsed.ms < minMs || parsed.ms > maxMs) {
    problems.push(`${field}: must be between ${minMs} ms and ${maxMs} ms, received ${parsed.ms} ms`);
    return undefined;
  }
  return parsed.ms;
}

function keyFunction(
  value: unknown,
  field: string,
  problems: string[],
): ((payload: unknown) => string) | undefined {
  if (typeof value === 'function') return value as (payload: unknown) => string;
  problems.push(`${field}: expected a function of the payload returning a string, received ${typeof value}`);
  return undefined;
}

function unknownKeys(value: Record<string, unknown>, known: string[], field: string, problems: string[]) {
  for (const key of Object.keys(value))
    if (!known.includes(key)) problems.push(`${field}: unknown option "${key}" (known: ${known.join(', ')})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
