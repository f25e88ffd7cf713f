import type { Clock } from '../clock.js';
import { MAX_ENQUEUE_BYTES, payloadHostility, STORY_HEADROOM_BYTES } from '../envelope/decode.js';
import { ENVELOPE_VERSION, type Envelope } from '../envelope/envelope.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { errorMessage } from '../errors.js';
import { derivedJobId } from '../job/define-job.js';
import { parseDuration } from '../job/duration.js';
import { type ResolvedDebounce, type ResolvedUnique, resolveExpiresIn } from '../job/enqueue-control.js';
import { flowKeysAtEnqueue, limitKey } from '../job/flow-keys.js';
import { type LaneMap, lanesOf, routeToLane } from '../job/lanes.js';
import type { EnqueueOptions } from '../job/types.js';
import { validatePayload } from '../job/validate-payload.js';
import { SQS_LIMITS } from '../transport/message-limits.js';
import type { OutgoingMessage } from '../transport/types.js';
import type { EnqueueRequest } from './types.js';

const OPTION_KEYS = ['delay', 'at', 'jobId', 'priority', 'expiresIn'];
const MAX_JOB_ID_CHARS = 512;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being rejected
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface PreparedJob {
  readonly jobId: string;
  readonly jobName: string;
  /** The logical queue. */
  readonly queue: string;
  /** Where the message goes: the queue, or one of its lanes (`<queue>/<lane>`, see job/lanes.ts). */
  readonly address: string;
  /** The lane, on a queue with lanes. */
  readonly lane?: string;
  readonly runAtMs: number;
  readonly message: OutgoingMessage;
  /** What the message carries, for a route other than the queue (a schedule's Input). */
  readonly envelope: Envelope;
  /** The job's unique key, scoped by job name, and its rule (README "Unique jobs"). */
  readonly unique?: { readonly key: string; readonly rule: ResolvedUnique };
  /** The job's debounce key, scoped by job name, and its rule (README "Debounce"). */
  readonly debounce?: { readonly key: string; readonly rule: ResolvedDebounce };
}

export type Prepared =
  | { readonly ok: true; readonly job: PreparedJob }
  | { readonly ok: false; readonly payloadProblems: string[]; readonly optionProblems: string[] };

/**
 * The lanes a producer knows: by queue (a queue absent has none, and a `priority` for it is refused), or
 * `'unchecked'` where no queue is real (wharf-jobs/testing captures jobs): the priority is kept, not routed.
 */
export type KnownLanes = LaneMap | 'unchecked';

/**
 * Turns a request into a message, or into every problem with it. The payload is validated after a JSON round trip,
 * so what passes here is exactly what the worker will see (a Date becomes a string here, not at 3 a.m.).
 */
export async function prepare(
  request: EnqueueRequest,
  clock: Clock,
  lanes: KnownLanes,
  /** The producer's X-Ray trace header, already checked (observe/trace-header.ts). */
  trace?: string,
): Promise<Prepared> {
  const { job, payload, options } = request;
  const optionProblems: string[] = [];
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_KEYS.includes(key))
      optionProblems.push(`unknown enqueue option "${key}" (known: ${OPTION_KEYS.join(', ')})`);
  }
  const route = laneRoute(
    job.options.queue,
    lanes,
    options?.priority,
    job.options.flow?.priority,
    optionProblems,
  );

  const now = clock.nowMs();
  const runAtMs = resolveRunAt(options, now, optionProblems);
  if (job.options.enqueue.debounce && (options?.delay !== undefined || options?.at !== undefined))
    optionProblems.push(
      'delay/at: a debounced job runs `wait` after the last enqueue of its burst, so it takes neither',
    );
  const expiresInMs =
    options?.expiresIn === undefined
      ? job.options.enqueue.expiresInMs
      : resolveExpiresIn(options.expiresIn, 'expiresIn', optionProblems);
  const json = serialize(payload);
  if (!json.ok) return { ok: false, payloadProblems: [json.problem], optionProblems };
  // Refused here, not dead-lettered by the worker: what passes at enqueue is what the worker will run.
  const hostility = payloadHostility(json.text);
  if (hostility) return { ok: false, payloadProblems: [`payload is refused: ${hostility}`], optionProblems };
  const validation = await validatePayload(job.schema, JSON.parse(json.text));
  const payloadProblems: string[] = validation.ok ? [] : [...validation.issues];
  const keys = validation.ok ? flowKeysAtEnqueue(job, validation.value, payloadProblems) : {};
  const control = validation.ok ? enqueueKeysOf(job, validation.value, payloadProblems) : {};
  const jobId = resolveJobId(request, optionProblems);
  if (payloadProblems.length > 0 || optionProblems.length > 0)
    return { ok: false, payloadProblems, optionProblems };
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    id: jobId,
    job: job.name,
    payload: JSON.parse(json.text),
    attempt: 1,
    createdAtMs: now,
    enqueuedAtMs: now,
    ...(runAtMs > now ? { runAtMs } : {}),
    ...(keys.group === undefined ? {} : { group: keys.group }),
    ...(expiresInMs === undefined ? {} : { expiresAtMs: Math.max(runAtMs, now) + expiresInMs }),
    ...(trace === undefined ? {} : { trace }),
  };
  const message = toOutgoing(envelope, now);
  const bytes = Buffer.byteLength(message.body, 'utf8');
  if (bytes > MAX_ENQUEUE_BYTES) {
    return {
      ok: false,
      payloadProblems: [
        `payload is too large: the message would be ${bytes} bytes; wharf accepts ${MAX_ENQUEUE_BYTES} (SQS's ${SQS_LIMITS.maxMessageBytes} less ${STORY_HEADROOM_BYTES} kept for the retry and dead-letter story). Pass an id and load the data in the job.`,
      ],
      optionProblems,
    };
  }
  return {
    ok: true,
    job: {
      jobId,
      jobName: job.name,
      queue: job.options.queue,
      ...route,
      runAtMs: Math.max(runAtMs, now),
      message,
      envelope,
      ...control,
    },
  };
}

/** The unique and debounce keys, scoped by job name (`<job name>/<key>`), or a problem with the payload. */
function enqueueKeysOf(
  job: EnqueueRequest['job'],
  payload: unknown,
  problems: string[],
): Pick<PreparedJob, 'unique' | 'debounce'> {
  const { unique, debounce } = job.options.enqueue;
  const uniqueKey = unique && limitKey(unique.key, payload, 'unique.key', problems);
  const debounceKey = debounce && limitKey(debounce.key, payload, 'debounce.key', problems);
  return {
    ...(unique && uniqueKey ? { unique: { key: `${job.name}/${uniqueKey}`, rule: unique } } : {}),
    ...(debounce && debounceKey ? { debounce: { key: `${job.name}/${debounceKey}`, rule: debounce } } : {}),
  };
}

function laneRoute(
  queue: string,
  lanes: KnownLanes,
  requested: unknown,
  jobDefault: string | undefined,
  problems: string[],
): { address: string; lane?: string } {
  const priority = requested ?? jobDefault;
  if (lanes === 'unchecked')
    return { address: queue, ...(typeof priority === 'string' ? { lane: priority } : {}) };
  const queueLanes = lanesOf(lanes, queue);
  const address = routeToLane(queue, queueLanes, { enqueue: requested, job: jobDefault }, problems);
  if (!queueLanes) return { address };
  return { address, lane: address === queue ? queueLanes.defaultLane : address.slice(queue.length + 1) };
}

export function resolveRunAt(
  options: Pick<EnqueueOptions, 'delay' | 'at'> | undefined,
  now: number,
  problems: string[],
): number {
  if (options?.delay !== undefined && options?.at !== undefined)
    problems.push('give either "delay" or "at", not both');
  if (options?.delay !== undefined) {
    const parsed = parseDuration(options.delay);
    if ('problem' in parsed) problems.push(`delay: ${parsed.problem}`);
    else return now + parsed.ms;
  }
  if (options?.at !== undefined) {
    const at = options.at;
    if (!(at instanceof Date) || Number.isNaN(at.getTime()))
      problems.push(`at: expected a valid Date, received ${String(at)}`);
    else return at.getTime();
  }
  return now;
}

function resolveJobId(request: EnqueueRequest, problems: string[]): string {
  const explicit = request.options?.jobId;
  let id: string;
  try {
    id =
      explicit ??
      (request.job.deriveJobId
        ? derivedJobId(request.job.name, request.job.deriveJobId(request.payload as never))
        : crypto.randomUUID());
  } catch (error) {
    problems.push(`jobId: the job's jobId function threw: ${errorMessage(error)}`);
    return '';
  }
  if (
    typeof id !== 'string' ||
    id.length === 0 ||
    id.length > MAX_JOB_ID_CHARS ||
    CONTROL_CHARACTERS.test(id)
  ) {
    problems.push(
      `jobId: expected 1-${MAX_JOB_ID_CHARS} printable characters, received ${JSON.stringify(id)}`,
    );
  }
  return id;
}

function serialize(payload: unknown): { ok: true; text: string } | { ok: false; problem: string } {
  try {
    const text = JSON.stringify(payload);
    if (text === undefined)
      return { ok: false, problem: 'payload is not JSON-serializable (undefined or a function)' };
    return { ok: true, text };
  } catch (error) {
    return { ok: false, problem: `payload is not JSON-serializable: ${errorMessage(error)}` };
  }
}
