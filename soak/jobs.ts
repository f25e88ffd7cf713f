import {
  createRegistry,
  defineJob,
  type IdempotencyMode,
  type JobContext,
  type JobDefinition,
  type JobRegistry,
} from 'wharf-jobs';
import { z } from 'zod';
import { logUniform, type Random, weighted } from './random';

export const MODES = ['off', 'tracked', 'exactly-once'] as const satisfies readonly IdempotencyMode[];

/**
 * The soak's kinds of job: one per idempotency mode, and `steps`, an exactly-once job whose effect is a durable
 * step (README "Durable steps"): its effect must never repeat once the step completed.
 */
export const KINDS = [...MODES, 'steps'] as const;
export type SoakKind = (typeof KINDS)[number];

/** The idempotency mode a kind runs in. */
export function modeOf(kind: SoakKind): IdempotencyMode {
  return kind === 'steps' ? 'exactly-once' : kind;
}

/**
 * What a job does when it runs:
 * - `ok` succeeds;
 * - `flaky` fails its first attempt, then succeeds (a retry);
 * - `permanent` fails with an error its retry policy does not retry (dead letter, `permanent-error`);
 * - `exhausted` fails every attempt (dead letter, `retries-exhausted`).
 */
export const BEHAVIOURS = ['ok', 'flaky', 'permanent', 'exhausted'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Attempts per job, the first included: low, so `exhausted` jobs reach their dead letter within seconds. */
export const MAX_ATTEMPTS = 4;

const schema = z.object({
  n: z.number().int().min(0),
  sleepMs: z.number().int().min(0),
  behaviour: z.enum(BEHAVIOURS),
});

export type SoakPayload = z.infer<typeof schema>;

/** One line of the effects file: a run that reached the middle of a job which then goes on to succeed. */
export interface EffectLine {
  readonly jobId: string;
  readonly kind: SoakKind;
  readonly attempt: number;
  readonly pid: number;
  /** When the effect happened (epoch ms, the machine's clock, as the step's completion time on the record). */
  readonly atMs: number;
}

const PERMANENT = 'SOAK_PERMANENT';

class SoakJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SoakJobError';
  }
}

/**
 * The soak's jobs, one per idempotency mode, with the same payload and behaviour. Each run sleeps half its time,
 * writes its effect (only when it is going to succeed, so an effect seen twice means a run was repeated after its
 * effect, never a retry of a failed attempt), and sleeps the rest: a kill lands before or after the effect.
 * The producer builds them with an `effect` that is never called.
 */
export function soakJobs(effect: (line: EffectLine) => void): SoakJobs {
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, soakJob(kind, effect)])) as Record<
    SoakKind,
    SoakJob
  >;
  return { byKind, registry: createRegistry(Object.values(byKind)) };
}

export type SoakJob = JobDefinition<typeof schema, { n: number }>;

export interface SoakJobs {
  readonly byKind: Readonly<Record<SoakKind, SoakJob>>;
  readonly registry: JobRegistry;
}

function soakJob(kind: SoakKind, effect: (line: EffectLine) => void): SoakJob {
  return defineJob({
    name: jobName(kind),
    schema,
    idempotency: modeOf(kind),
    // Short, so a killed run's lease (timeout + lease margin) lapses before its message comes back.
    timeout: '2s',
    retry: {
      attempts: MAX_ATTEMPTS,
      backoff: { strategy: 'fixed', delay: '500ms', jitter: 1 },
      // Everything else retries: a job timeout on a loaded machine must not pass for a permanent failure.
      retryOn: [(error: unknown) => (error as { code?: unknown } | null)?.code !== PERMANENT],
    },
    perform: (payload, ctx) => perform(kind, payload, ctx, effect),
  });
}

export function jobName(kind: SoakKind): string {
  return `soak-${kind}`;
}

/** The name of the `steps` job's effect step. */
export const EFFECT_STEP = 'effect';

async function perform(
  kind: SoakKind,
  { n, sleepMs, behaviour }: SoakPayload,
  ctx: JobContext,
  effect: (line: EffectLine) => void,
): Promise<{ n: number }> {
  const half = Math.floor(sleepMs / 2);
  await sleep(half, ctx.signal);
  if (behaviour === 'permanent') throw new SoakJobError(PERMANENT, `job ${n} fails for good`);
  if (behaviour === 'exhausted' || (behaviour === 'flaky' && ctx.attempt === 1)) {
    throw new SoakJobError('SOAK_TRANSIENT', `job ${n} fails attempt ${ctx.attempt}`);
  }
  const line = () =>
    effect({ jobId: ctx.jobId, kind, attempt: ctx.attempt, pid: process.pid, atMs: Date.now() });
  if (kind === 'steps') await ctx.step(EFFECT_STEP, line);
  else line();
  await sleep(sleepMs - half, ctx.signal);
  return { n };
}

/** Waits `ms`, or stops early with the signal's reason: a job that honours ctx.signal stops at its timeout. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** One job of the run's plan: which mode it runs in and what it does, drawn from the seed. */
export interface PlannedJob {
  readonly jobId: string;
  readonly kind: SoakKind;
  readonly mode: IdempotencyMode;
  readonly payload: SoakPayload;
}

export function planJobs(count: number, random: Random): PlannedJob[] {
  return Array.from({ length: count }, (_, n) => {
    const kind = KINDS[Math.floor(random() * KINDS.length)]!;
    const behaviour = weighted<Behaviour>(random, [
      ['ok', 84],
      ['flaky', 10],
      ['permanent', 3],
      ['exhausted', 3],
    ]);
    return {
      jobId: `soak-${n}`,
      kind,
      mode: modeOf(kind),
      payload: { n, sleepMs: logUniform(random, 2, 300), behaviour },
    };
  });
}
