import { StepError } from '../errors.js';
import { MAX_STEPS_TOTAL_BYTES } from '../job/steps-option.js';
import type { StepMap, StoredStep } from '../store/types.js';
import { emit, recordStart } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { AttemptOutcome, AttemptSteps } from './run-attempt.js';
import type { RunState } from './types.js';

/** A wake that arrives this much early still counts as due: clocks and SQS delays are not exact. */
const EARLY_WAKE_MS = 1_000;
const STEP_NAME_MAX = 200;
/** Sleeps are kept among the steps under names a job's own step cannot have. */
const SLEEP_PREFIX = '~sleep:';

/**
 * The run ends here and continues at `wakeAtMs` (README "Durable sleeps"): what the engine records and sends.
 * Not an Error: a job's own `catch` around `ctx.sleep` never sees it, as the sleep's promise never settles.
 */
export class SleepRequest {
  constructor(
    readonly wakeAtMs: number,
    readonly steps: StepMap,
  ) {}
}

/** wharf-jobs/testing's `interruptAfterStep`: the run stops right after the step is durable, as a crash would. */
export class StepInterruption {
  constructor(readonly step: string) {}
}

export interface JournalOptions {
  /** The steps the claim returned; otherwise they are read on first use. */
  readonly known?: StepMap;
  readonly interruptAfterStep?: string;
}

/**
 * A run's durable steps (README "Durable steps"): read once, on the first `ctx.step` or `ctx.sleep`, and written
 * after each completed step, one write at a time (so a later write never lands before an earlier one and drops
 * a step). In exactly-once mode each write is fenced by the run's lease: a run that lost its job stops at its
 * next step with LeaseLostError, and the run that took over owns the steps.
 */
export class StepJournal implements AttemptSteps {
  // Built on first read (only a run still going after its first moments races it), so a job without steps
  // pays for no promise.
  #ended: Promise<AttemptOutcome> | undefined;
  #resolveEnded: ((outcome: AttemptOutcome) => void) | undefined;
  #endedWith: AttemptOutcome | undefined;
  #steps: Record<string, StoredStep> | undefined;
  #loading: Promise<Record<string, StoredStep>> | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  // Built at the first step: most runs have none, and this object is made for every run.
  #named: Set<string> | undefined;
  #sleeps = 0;

  constructor(
    private readonly o: ResolvedEngineOptions,
    private readonly state: RunState,
    private readonly options: JournalOptions = {},
  ) {
    if (options.known) this.#steps = { ...options.known };
  }

  get ended(): Promise<AttemptOutcome> {
    this.#ended ??= this.#endedWith
      ? Promise.resolve(this.#endedWith)
      : new Promise((resolve) => {
          this.#resolveEnded = resolve;
        });
    return this.#ended;
  }

  #end(outcome: AttemptOutcome): void {
    if (this.#endedWith) return;
    this.#endedWith = outcome;
    this.#resolveEnded?.(outcome);
  }

  async step(name: string, run: () => unknown): Promise<unknown> {
    this.#claimName(name);
    const steps = await this.#load();
    const stored = steps[name];
    if (stored) {
      emit(this.o, this.state, { type: 'step', name, replayed: true });
      return stored.result;
    }
    const result = asStoredResult(name, await run(), this.state.job.options.steps.maxResultBytes);
    steps[name] = { atMs: this.o.clock.nowMs(), ...(result === undefined ? {} : { result }) };
    checkTotal(steps);
    await this.#write(steps);
    emit(this.o, this.state, { type: 'step', name, replayed: false });
    if (this.options.interruptAfterStep === name) {
      this.#end({ ok: false, error: new StepInterruption(name) });
      return never();
    }
    return result;
  }

  async sleepUntil(wakeAtMs: number): Promise<void> {
    const name = `${SLEEP_PREFIX}${++this.#sleeps}`;
    const steps = await this.#load();
    const now = this.o.clock.nowMs();
    const stored = steps[name];
    // Slept already: a wake message (or one a little early) goes on past it.
    if (stored?.wakeAtMs !== undefined && stored.wakeAtMs - now <= EARLY_WAKE_MS) return;
    // A time already past needs no sleep (and no write).
    if (stored === undefined && wakeAtMs <= now) return;
    // A sleep begun by an earlier delivery keeps its wake time: a duplicate message must not sleep anew.
    const wake = stored?.wakeAtMs ?? wakeAtMs;
    steps[name] = stored ?? { atMs: now, wakeAtMs: wake };
    await this.#writes; // the steps before the sleep are written first
    this.#end({ ok: false, error: new SleepRequest(wake, { ...steps }) });
    return never();
  }

  #claimName(name: string): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > STEP_NAME_MAX || name.startsWith('~'))
      throw new StepError(
        `step name ${JSON.stringify(name)}: expected 1-${STEP_NAME_MAX} characters, not starting with "~"`,
      );
    // Each name is one step: a second call would get the first one's result, silently, on every later run.
    this.#named ??= new Set();
    if (this.#named.has(name))
      throw new StepError(
        `step "${name}" ran twice in one run of job "${this.state.job.name}": give each step its own name (\`row-\${i}\` in a loop)`,
      );
    this.#named.add(name);
  }

  #load(): Promise<Record<string, StoredStep>> {
    if (this.#steps) return Promise.resolve(this.#steps);
    this.#loading ??= this.#read();
    return this.#loading;
  }

  async #read(): Promise<Record<string, StoredStep>> {
    const store = this.o.store;
    if (!store || this.state.job.options.idempotency === 'off')
      throw new StepError(
        `job "${this.state.job.name}" uses durable steps, which keep their results on the job record: give the engine its job store and the job idempotency 'tracked' or 'exactly-once'`,
      );
    const record = await store.get(this.state.envelope.id, this.o.clock.nowMs());
    this.#steps = { ...record?.steps };
    return this.#steps;
  }

  /** One write at a time, each with every step so far. */
  #write(steps: Record<string, StoredStep>): Promise<void> {
    const snapshot = { ...steps };
    const write = this.#writes.then(() =>
      this.o.store!.completeStep({
        ...recordStart(this.o, this.state),
        jobId: this.state.envelope.id,
        fence: this.state.fence,
        nowMs: this.o.clock.nowMs(),
        steps: snapshot,
      }),
    );
    this.#writes = write.catch(() => undefined);
    return write;
  }
}

/** The step's result as the record keeps it (its JSON round trip), refused when JSON cannot carry it or it is too big. */
function asStoredResult(name: string, value: unknown, maxBytes: number): unknown {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new StepError(`step "${name}" returned a value JSON cannot hold (${String(cause)})`, { cause });
  }
  if (json === undefined) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes)
    throw new StepError(
      `step "${name}" returned ${bytes} bytes of JSON, over the job's limit of ${maxBytes} (steps.maxResultBytes): keep large results elsewhere (S3) and return their key`,
    );
  return JSON.parse(json);
}

function checkTotal(steps: Record<string, StoredStep>): void {
  const bytes = Buffer.byteLength(JSON.stringify(steps), 'utf8');
  if (bytes > MAX_STEPS_TOTAL_BYTES)
    throw new StepError(
      `the job's steps hold ${bytes} bytes of JSON together, over ${MAX_STEPS_TOTAL_BYTES} (they share the record's 400 KB item): use fewer steps, or smaller results`,
    );
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}
