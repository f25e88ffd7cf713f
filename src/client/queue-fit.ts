import type { JobDefinition } from '../job/define-job.js';
import type { QueueKind, Transport } from '../transport/types.js';

/**
 * What a job asks of its queue against what the queue is, checked at enqueue (the CDK construct checks the same
 * at synth): a FIFO queue needs a group on every message and has no per-message delay, and a job's `group`
 * promises an order only a FIFO queue keeps. Returns the problems, each saying how to fix it.
 */
export function queueFitProblems(job: JobDefinition, kind: QueueKind, delayed: boolean): string[] {
  const queue = JSON.stringify(job.options.queue);
  const { group, tenant } = job.options.flow;
  const problems: string[] = [];
  if (kind === 'fifo' && !group) {
    problems.push(
      `queue ${queue} is a FIFO queue, and job "${job.name}" has no \`group\`: every message on a FIFO queue needs its message group. ` +
        `Give the job \`group: (payload) => ...\` (jobs of one group run one at a time, in order)${tenant ? '; `tenant` is for standard queues' : ''}, or put it on a standard queue`,
    );
  }
  if (kind === 'standard' && group) {
    problems.push(
      `job "${job.name}" has a FIFO \`group\`, but queue ${queue} is a standard queue, which does not keep order: ` +
        'make the queue FIFO (`fifo: true` in the construct), or use `tenant` for fairness without order',
    );
  }
  if (kind === 'fifo' && delayed) {
    problems.push(
      `queue ${queue} is a FIFO queue, which has no per-message delay: "delay" and "at" cannot be used for job "${job.name}". ` +
        'Enqueue it when it is due (a recurring task or a job on a standard queue can do that), or run it now',
    );
  }
  return problems;
}

/**
 * The queue's kind as the transport knows it. A transport that cannot say has standard queues only; a queue it
 * does not know is the send's to refuse, with the list of the queues it does know.
 */
export function queueKindOf(transport: Transport, queue: string): QueueKind {
  try {
    return transport.queueKind?.(queue) ?? 'standard';
  } catch {
    return 'standard';
  }
}
