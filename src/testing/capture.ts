import { type Admission, admit } from '../client/admission.js';
import { type BatchOptions, batchMethods } from '../client/batch-client.js';
import { duplicateOf } from '../client/client.js';
import { prepareOrReject } from '../client/enqueue-rejection.js';
import type { EnqueuedJob, EnqueueRequest, Enqueuer } from '../client/types.js';
import type { Envelope } from '../envelope/envelope.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { ManualClock } from '../local/manual-clock.js';
import type { JobStore } from '../store/types.js';
import type { OutgoingMessage, Transport } from '../transport/types.js';
import { createResettableStore } from './resettable-store.js';
import { createTestEngine, type TestEngine, type TestEngineOptions } from './test-engine.js';
import type { AnyJob, CapturedJob, PerformedJob } from './types.js';

/** A captured job: its public view, and the message the engine is handed when it runs. */
export interface CaptureEntry {
  readonly captured: CapturedJob;
  /** The message body as the queue would carry it. */
  readonly body: string;
  /** Enqueue order: tells which jobs were enqueued during one performEnqueued call. */
  readonly seq: number;
  /** The job that was running when this one was enqueued, if any (not set on the engine's own re-sends). */
  readonly enqueuedBy?: string;
}

/** What one test mode holds: its clock, the jobs waiting to run, those that ran, and the engine that runs them. */
export interface CaptureState {
  readonly clock: ManualClock;
  readonly random: () => number;
  /** When test mode was given the app's registry: jobs it does not hold are refused, as the client refuses them. */
  readonly registry?: JobRegistry;
  /** The definitions of every job the engine may be handed: the registry's, and each captured one's. */
  readonly jobs: Map<string, AnyJob>;
  /** Where `tracked` and `exactly-once` jobs keep their state, so duplicates are the engine's to recognise. */
  readonly store: JobStore;
  /** The real engine, over this state's capture: it runs what performEnqueued hands it. */
  readonly engine: TestEngine;
  pending: CaptureEntry[];
  performed: PerformedJob[];
  /** What the engine dead-lettered (wharf-jobs/testing shows it as a `dead` outcome; the harness reads these). */
  readonly deadLetters: OutgoingMessage[];
  /** Forgets every captured and performed job, and the job state the engine kept (so an id may run again). */
  readonly clear: () => void;
  /** The job `performEnqueued` is running now; it runs one at a time, so this attributes what gets enqueued. */
  running?: string;
  seq: number;
}

/** What the behaviour suite's harness sets on a test mode; users get the defaults. */
export interface CaptureInternals {
  readonly store?: JobStore;
  readonly onEvent?: TestEngineOptions['onEvent'];
  readonly engine?: TestEngineOptions['engine'];
}

export function createCaptureState(
  clock: ManualClock,
  random: () => number,
  registry?: JobRegistry,
  internals: CaptureInternals = {},
): CaptureState {
  const jobs = new Map(registry?.jobs.map((job) => [job.name, job as AnyJob]));
  const own = createResettableStore();
  const store = internals.store ?? own.store;
  const deadLetters: OutgoingMessage[] = [];
  const state: CaptureState = {
    clock,
    random,
    ...(registry ? { registry } : {}),
    jobs,
    store,
    engine: createTestEngine({
      jobs,
      store,
      clock,
      random,
      // The engine's own sends (a retry, a deferral, a hop) are the same job coming back: no new enqueue.
      send: (queue, message) => addMessage(state, queue, message),
      sendToDeadLetter: (_queue, message) => void deadLetters.push(message),
      ...(internals.onEvent ? { onEvent: internals.onEvent } : {}),
      ...(internals.engine ? { engine: internals.engine } : {}),
    }),
    pending: [],
    performed: [],
    deadLetters,
    seq: 0,
    clear: () => {
      state.pending = [];
      state.performed = [];
      deadLetters.length = 0;
      own.reset();
    },
  };
  return state;
}

// The test mode that runJob reports to when it is called on its own: process-wide, like the default enqueuer.
let active: CaptureState | undefined;

export function activeCapture(): CaptureState | undefined {
  return active;
}

export function setActiveCapture(state: CaptureState | undefined): CaptureState | undefined {
  const previous = active;
  active = state;
  return previous;
}

/**
 * An Enqueuer that validates through the production path (`prepare`), takes unique keys and joins debounced bursts
 * in the test mode's store as the client does (`admit`), then keeps the job instead of sending it.
 */
export function createCapturingEnqueuer(state: CaptureState): Enqueuer {
  const deps = { clock: state.clock, store: state.store };
  return {
    async enqueue(request) {
      const [prepared] = await prepareOrReject([request], state.clock, state.registry, false, 'unchecked');
      const [admission] = await admit(deps, [prepared!]);
      if (admission!.kind === 'duplicate') return duplicateOf(admission!.job, admission!.holder);
      return keep(state, request, admission!);
    },
    async enqueueMany(requests) {
      const prepared = await prepareOrReject(requests, state.clock, state.registry, true, 'unchecked');
      const admissions = await admit(deps, prepared);
      const enqueued: EnqueuedJob[] = [];
      const duplicates: (EnqueuedJob & { readonly index: number })[] = [];
      admissions.forEach((a, index) => {
        if (a.kind === 'duplicate') duplicates.push({ ...duplicateOf(a.job, a.holder), index });
        else enqueued.push(keep(state, requests[index]!, a));
      });
      return { enqueued, duplicates, failed: [] };
    },
    ...capturedBatches(state),
  };
}

/**
 * `performBatch` and `ctx.batch.add` in test mode: the production batch client (batch-client.ts) over the test
 * store and a transport that captures. The batch record is real, so the engine that performEnqueued runs counts
 * each child in it, and the callbacks it sends when the batch ends are captured, to run in the same drain.
 */
function capturedBatches(state: CaptureState): Required<Pick<Enqueuer, 'enqueueBatch' | 'addToBatch'>> {
  const transport: Transport = {
    async send(queue, messages) {
      for (const message of messages) addMessage(state, queue, message, undefined, state.running);
      return messages.map(() => ({ ok: true as const, messageId: `test-${crypto.randomUUID()}` }));
    },
    // The batch client only sends; dead letters are the engine's, and its transport captures them.
    async sendToDeadLetter() {
      throw new ConfigError('wharf-jobs/testing: the batch client does not dead-letter');
    },
  };
  const deps = {
    transport,
    clock: state.clock,
    store: state.store,
    lanes: 'unchecked' as const,
    ...(state.registry ? { registry: state.registry } : {}),
  };
  const methods = batchMethods(deps);
  // The engine learns a job from its capture: children and callbacks alike, so each can run when it is due.
  const learn = (requests: readonly EnqueueRequest[]) => {
    for (const request of requests) state.jobs.set(request.job.name, request.job as AnyJob);
  };
  return {
    enqueueBatch(requests, options: BatchOptions = {}) {
      learn([...requests, ...[options.onSuccess, options.onFinish, options.onDiscard].filter((r) => !!r)]);
      return methods.enqueueBatch(requests, options);
    },
    addToBatch(batchId, requests) {
      learn(requests);
      return methods.addToBatch(batchId, requests);
    },
  };
}

function keep(
  state: CaptureState,
  request: EnqueueRequest,
  admission: Extract<Admission, { kind: 'send' }>,
): EnqueuedJob {
  const prepared = admission.job;
  state.jobs.set(request.job.name, request.job as AnyJob);
  addMessage(state, prepared.queue, prepared.message, prepared.runAtMs, state.running);
  return {
    outcome: 'enqueued',
    jobId: prepared.jobId,
    jobName: prepared.jobName,
    queue: prepared.queue,
    runAtMs: prepared.runAtMs,
    ...(prepared.envelope.expiresAtMs === undefined ? {} : { expiresAtMs: prepared.envelope.expiresAtMs }),
    ...(admission.debounced ? { debounced: admission.debounced } : {}),
  };
}

/**
 * Keeps a message as the queue would hold it: due at `runAtMs`, or after its SQS delay. The payload is read back
 * from the body, so tests see exactly what a worker would receive.
 */
export function addMessage(
  state: CaptureState,
  queue: string,
  message: OutgoingMessage,
  runAtMs?: number,
  enqueuedBy?: string,
): void {
  const envelope = readEnvelope(message.body);
  const now = state.clock.nowMs();
  const captured: CapturedJob = {
    jobName: envelope.job ?? UNREADABLE,
    jobId: envelope.id ?? '',
    queue,
    payload: envelope.payload,
    attempt: envelope.attempt ?? 1,
    enqueuedAtMs: now,
    runAtMs: runAtMs ?? envelope.runAtMs ?? now + message.delaySeconds * 1000,
  };
  const entry = { captured, body: message.body, seq: state.seq++ };
  state.pending.push(enqueuedBy === undefined ? entry : { ...entry, enqueuedBy });
}

/** How a message that is not a readable envelope is listed (the behaviour suite sends such poison on purpose). */
const UNREADABLE = '(unreadable message)';

/** The envelope's fields as far as they can be read: only for listing it; the engine does the real decoding. */
function readEnvelope(body: string): Partial<Envelope> {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Partial<Envelope>) : {};
  } catch {
    return {};
  }
}
