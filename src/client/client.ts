import { type Clock, systemClock } from '../clock';
import { InvalidOptionsError, InvalidPayloadError, WharfError } from '../errors';
import type { Transport } from '../transport/types';
import { type PreparedJob, prepare } from './prepare';
import type { EnqueuedJob, EnqueueFailure, EnqueueManyResult, EnqueueRequest, Enqueuer } from './types';

export interface ClientOptions {
  readonly transport: Transport;
  /** @default the system clock */
  readonly clock?: Clock;
}

/** The enqueue SDK: validates, builds envelopes and sends them through the transport, batching where it can. */
export function createClient(options: ClientOptions): Enqueuer {
  const clock = options.clock ?? systemClock;
  const client: Enqueuer = {
    async enqueue(request) {
      const prepared = await prepare(request, clock);
      if (!prepared.ok)
        throw singleError(request.job.name, prepared.payloadProblems, prepared.optionProblems);
      const [outcome] = await options.transport.send(prepared.job.queue, [prepared.job.message]);
      if (!outcome?.ok) {
        throw new WharfError(
          'WHARF_ENQUEUE_FAILED',
          `Could not enqueue ${request.job.name} ${prepared.job.jobId}: ${outcome ? `${outcome.code}: ${outcome.message}` : 'no outcome'}`,
        );
      }
      return enqueued(prepared.job, outcome.messageId);
    },
    async enqueueMany(requests) {
      const prepared = await prepareAll(requests, clock);
      return sendAll(options.transport, prepared);
    },
  };
  return client;
}

// Exported so wharf/testing rejects exactly what this client rejects.
export function singleError(
  jobName: string,
  payloadProblems: string[],
  optionProblems: string[],
): WharfError {
  if (optionProblems.length === 0) return new InvalidPayloadError(jobName, payloadProblems);
  return new InvalidOptionsError(`enqueue of "${jobName}"`, [
    ...optionProblems,
    ...payloadProblems.map((p) => `payload: ${p}`),
  ]);
}

export async function prepareAll(requests: readonly EnqueueRequest[], clock: Clock): Promise<PreparedJob[]> {
  const results = await Promise.all(requests.map((request) => prepare(request, clock)));
  const problems: string[] = [];
  const ready: PreparedJob[] = [];
  results.forEach((result, index) => {
    const name = requests[index]?.job.name;
    if (result.ok) ready.push(result.job);
    else
      for (const p of [...result.optionProblems, ...result.payloadProblems])
        problems.push(`#${index} ${name}: ${p}`);
  });
  if (problems.length > 0) {
    const invalid = results.filter((r) => !r.ok).length;
    throw new InvalidOptionsError(
      `bulk enqueue (${invalid} of ${requests.length} jobs invalid; nothing was sent)`,
      problems,
      'WHARF_INVALID_PAYLOAD',
    );
  }
  return ready;
}

async function sendAll(transport: Transport, jobs: readonly PreparedJob[]): Promise<EnqueueManyResult> {
  const byQueue = new Map<string, number[]>();
  for (const [index, job] of jobs.entries()) {
    const indexes = byQueue.get(job.queue);
    if (indexes) indexes.push(index);
    else byQueue.set(job.queue, [index]);
  }
  const messageIds: (string | undefined)[] = new Array(jobs.length);
  const failed: EnqueueFailure[] = [];
  await Promise.all(
    [...byQueue].map(async ([queue, indexes]) => {
      const outcomes = await sendOrFail(
        transport,
        queue,
        indexes.map((i) => jobs[i]!.message),
      );
      indexes.forEach((jobIndex, k) => {
        const outcome = outcomes[k];
        const job = jobs[jobIndex]!;
        if (outcome?.ok) messageIds[jobIndex] = outcome.messageId;
        else {
          const detail = outcome ? `${outcome.code}: ${outcome.message}` : 'no outcome';
          failed.push({
            index: jobIndex,
            jobName: job.jobName,
            jobId: job.jobId,
            error: new WharfError('WHARF_ENQUEUE_FAILED', detail),
          });
        }
      });
    }),
  );
  const enqueuedJobs = jobs.flatMap((job, i) => (messageIds[i] ? [enqueued(job, messageIds[i])] : []));
  return { enqueued: enqueuedJobs, failed: failed.sort((a, b) => a.index - b.index) };
}

async function sendOrFail(transport: Transport, queue: string, messages: PreparedJob['message'][]) {
  try {
    return await transport.send(queue, messages);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    return messages.map(() => ({ ok: false as const, code: 'TransportError', message, permanent: false }));
  }
}

function enqueued(job: PreparedJob, messageId: string | undefined): EnqueuedJob {
  return {
    jobId: job.jobId,
    jobName: job.jobName,
    queue: job.queue,
    runAtMs: job.runAtMs,
    ...(messageId ? { messageId } : {}),
  };
}
