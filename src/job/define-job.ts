import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidOptionsError } from '../errors.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { parseDuration } from './duration.js';
import { type ResolvedEnqueueControl, resolveEnqueueControl } from './enqueue-control.js';
import type { EnqueuedJob, EnqueueRequest } from './enqueue-request.js';
import { type ResolvedFlowControl, resolveFlowControl } from './flow-control.js';
import { HOOK_KEYS, type ResolvedJobHooks, resolveHooks } from './hooks.js';
import { type ResolvedSteps, resolveSteps } from './steps-option.js';
import type {
  EnqueueOptions,
  ErrorMatcher,
  IdempotencyMode,
  JobContext,
  JobOptions,
  PayloadInput,
  PayloadOutput,
  RetryPolicy,
} from './types.js';
import { redactPathProblems } from './validate-redact.js';
import { retryPolicyProblems } from './validate-retry.js';

export const JOB_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,127}$/;
export const QUEUE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const MODES: readonly IdempotencyMode[] = ['off', 'tracked', 'exactly-once'];
const KNOWN_KEYS = [
  'name',
  'schema',
  'queue',
  'retry',
  'timeout',
  'idempotency',
  'jobId',
  'redact',
  'concurrency',
  'throttle',
  'tenant',
  'group',
  'priority',
  'unique',
  'debounce',
  'expiresIn',
  'steps',
  'perform',
  ...HOOK_KEYS,
];

/** A retry rule with the policy's defaults filled in. */
export interface ResolvedRetryRule {
  readonly on: readonly ErrorMatcher[];
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

/** A job's options with every default resolved (the one place defaults live). */
export interface ResolvedJobOptions {
  readonly queue: string;
  readonly timeoutMs: number;
  readonly idempotency: IdempotencyMode;
  /** The most attempts any error can get: `retry.attempts`, or a rule's when it allows more. */
  readonly maxAttempts: number;
  readonly retry: Required<Pick<RetryPolicy, 'backoff'>> & {
    /** Attempts for an error no rule matches. */
    readonly attempts: number;
    readonly retryOn?: readonly ErrorMatcher[];
    readonly discardOn: readonly ErrorMatcher[];
    /** Per-error rules, in order, each with its attempts and backoff resolved. */
    readonly rules: readonly ResolvedRetryRule[];
  };
  /** Payload paths the CLI and dashboard hide; absent when none are marked. */
  readonly redact?: readonly string[];
  /** Concurrency, throttle, tenant, FIFO group and default priority lane; empty when none is set. */
  readonly flow: ResolvedFlowControl;
  /** Unique key, debounce and expiry; empty when none is set. */
  readonly enqueue: ResolvedEnqueueControl;
  /** Durable steps' result limit, and whether the job is known to use them. */
  readonly steps: ResolvedSteps;
}

export interface JobDefinition<S extends StandardSchemaV1 = StandardSchemaV1, R = unknown> {
  readonly name: string;
  readonly schema: S;
  readonly options: ResolvedJobOptions;
  /** `around`, `onFailure` and `onDead`: absent when the job has none. */
  readonly hooks?: ResolvedJobHooks;
  // Method syntax on purpose: it lets a JobDefinition<ZodObject<...>> stand wherever "any job" is expected
  // (registry, engine), as method parameters are compared bivariantly.
  perform(payload: PayloadOutput<S>, ctx: JobContext): Promise<R> | R;
  deriveJobId?(payload: PayloadInput<S>): string;
  /**
   * The job id enqueueing this payload gets from the job's `jobId` function: `<job name>:<derived>`, the id that
   * `performLater` returns and `cancel`/`reschedule` take. Throws when the job has no `jobId` function (its ids
   * are random: keep the `jobId` that `performLater` returned).
   */
  jobIdFor(payload: PayloadInput<S>): string;
  /** Enqueue through the configured client (see `setDefaultEnqueuer`, or `wharf-jobs/testing`). */
  performLater(payload: PayloadInput<S>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /** Validate the payload and run the job here and now, once, without a queue. Returns its result. */
  performNow(payload: PayloadInput<S>): Promise<R>;
  /** A typed enqueue request, for `performAllLater([...])` and `client.enqueueMany`. */
  with(payload: PayloadInput<S>, options?: EnqueueOptions): EnqueueRequest;
}

/** The id a `jobId` function's result becomes: scoped by the job's name, so two jobs never share an id. */
export function derivedJobId(jobName: string, derived: string): string {
  return `${jobName}:${derived}`;
}

/**
 * How a definition reaches the layers above it: `performLater` enqueues through the configured client and
 * `performNow` runs through the engine, neither of which job/ may import (it is the bottom layer). The public
 * `defineJob` (src/define-job.ts) passes both in explicitly; a registration done as an import side effect would be
 * tree-shaken away under `sideEffects: false`.
 */
export interface JobFrontDoors {
  enqueue(request: EnqueueRequest): Promise<EnqueuedJob>;
  runInline(job: JobDefinition, payload: unknown): Promise<unknown>;
}

/** Builds a job definition (options checked, defaults resolved) whose performLater and performNow use `doors`. */
export function createJobDefinition<S extends StandardSchemaV1, R>(
  input: JobOptions<S, R>,
  doors: JobFrontDoors,
): JobDefinition<S, R> {
  const { options, hooks } = resolveJobOptions(input);
  const definition: JobDefinition<S, R> = {
    name: input.name,
    schema: input.schema,
    options,
    ...(hooks ? { hooks } : {}),
    perform: input.perform,
    deriveJobId: input.jobId,
    jobIdFor: (payload) => {
      if (!input.jobId)
        throw new InvalidOptionsError(`jobIdFor on job "${input.name}"`, [
          'the job has no jobId function, so its ids are random: keep the jobId that performLater returned',
        ]);
      return derivedJobId(input.name, input.jobId(payload));
    },
    performLater: (payload, enqueueOptions) => doors.enqueue(definition.with(payload, enqueueOptions)),
    performNow: (payload) => doors.runInline(definition as unknown as JobDefinition, payload) as Promise<R>,
    with: (payload, enqueueOptions = {}) => ({
      job: definition as unknown as JobDefinition,
      payload,
      options: enqueueOptions,
    }),
  };
  return Object.freeze(definition);
}

function resolveJobOptions<S extends StandardSchemaV1, R>(
  input: JobOptions<S, R>,
): { options: ResolvedJobOptions; hooks: ResolvedJobHooks | undefined } {
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.includes(key)) problems.push(`unknown option "${key}" (known: ${KNOWN_KEYS.join(', ')})`);
  }
  if (typeof input.name !== 'string' || !JOB_NAME_PATTERN.test(input.name)) {
    problems.push(
      `name: expected 1-128 letters, digits, ".", "_" or "-" starting with a letter, received ${JSON.stringify(input.name)}`,
    );
  }
  if (!isStandardSchema(input.schema))
    problems.push('schema: expected a Standard Schema (zod, valibot, arktype...)');
  if (typeof input.perform !== 'function') problems.push('perform: expected a function');
  const queue = input.queue ?? 'default';
  if (!QUEUE_NAME_PATTERN.test(queue)) {
    problems.push(
      `queue: expected 1-40 lowercase letters, digits or "-" starting with a letter, received ${JSON.stringify(queue)}`,
    );
  }
  const timeout = parseDuration(input.timeout ?? '30s');
  if ('problem' in timeout) problems.push(`timeout: ${timeout.problem}`);
  else if (timeout.ms < 1000 || timeout.ms > 12 * 3_600_000)
    problems.push(`timeout: must be between 1s and 12h, received ${timeout.ms} ms`);
  const idempotency = input.idempotency ?? 'tracked';
  if (!MODES.includes(idempotency))
    problems.push(
      `idempotency: expected one of ${MODES.join(', ')}, received ${JSON.stringify(idempotency)}`,
    );
  const attempts = input.retry?.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
    problems.push(`retry.attempts: expected an integer from 1 to 1000, received ${JSON.stringify(attempts)}`);
  }
  problems.push(...retryPolicyProblems(input.retry));
  problems.push(...redactPathProblems(input.redact));
  const flow = resolveFlowControl(input, problems);
  const enqueue = resolveEnqueueControl(input, problems);
  const steps = resolveSteps({ ...input, idempotency }, problems);
  const hooks = resolveHooks(input, problems);
  if (problems.length > 0)
    throw new InvalidOptionsError(
      `job definition "${String(input.name)}"`,
      problems,
      'WHARF_INVALID_DEFINITION',
    );
  // After the checks: retryPolicyProblems has refused any rule that is not well formed.
  const backoff = input.retry?.backoff ?? DEFAULT_BACKOFF;
  const rules = (input.retry?.rules ?? []).map(
    (rule): ResolvedRetryRule => ({
      on: Array.isArray(rule.on) ? [...rule.on] : [rule.on as ErrorMatcher],
      attempts: rule.attempts ?? attempts,
      backoff: rule.backoff ?? backoff,
    }),
  );
  const options: ResolvedJobOptions = {
    queue,
    timeoutMs: 'ms' in timeout ? timeout.ms : 30_000,
    idempotency,
    maxAttempts: Math.max(attempts, ...rules.map((rule) => rule.attempts)),
    retry: {
      attempts,
      backoff,
      retryOn: input.retry?.retryOn,
      discardOn: input.retry?.discardOn ?? [],
      rules,
    },
    ...(input.redact && input.redact.length > 0 ? { redact: [...input.redact] } : {}),
    flow,
    enqueue,
    steps,
  };
  return { options, hooks };
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === 'object' && value !== null && '~standard' in value;
}
