import type { JobRegistry } from '../job/registry.js';
import type { QueueSettings } from './queue-settings.js';

/**
 * Receives a FIFO message may use beyond its attempts before the queue's redrive policy moves it: a crashed run,
 * a deferral in place (a paused job type), a delivery behind a message of its group that failed in the same
 * batch (it is received again with it, unrun). @see README "Ordered groups on FIFO queues"
 */
export const FIFO_RECEIVE_MARGIN = 5;

/**
 * What a FIFO queue asks of its jobs, checked at synth like the client checks it at enqueue: every job on a FIFO
 * queue declares its `group`, a job with a `group` is on a FIFO queue, and the queue's maxReceiveCount leaves
 * every attempt to wharf. A FIFO retry waits in place, so each attempt is one more receive of the same message:
 * were maxReceiveCount reached first, SQS would move the job to the DLQ itself, without its reason.
 */
export function fifoProblems(registry: JobRegistry, settings: readonly QueueSettings[]): string[] {
  const problems: string[] = [];
  for (const queue of settings) {
    const jobs = registry.jobsOn(queue.queue);
    if (!queue.fifo) {
      for (const job of jobs.filter((j) => j.options.flow.group))
        problems.push(
          `job "${job.name}": it declares a FIFO \`group\`, but its queue "${queue.queue}" is a standard queue, which does not keep order: ` +
            `set queues.${queue.queue}.fifo to true, or use \`tenant\` for fairness without order`,
        );
      continue;
    }
    for (const job of jobs.filter((j) => !j.options.flow.group))
      problems.push(
        `job "${job.name}": its queue "${queue.queue}" is a FIFO queue, where every message needs a message group: ` +
          'give the job `group: (payload) => ...`, or move it to a standard queue',
      );
    const attempts = Math.max(0, ...jobs.map((j) => j.options.maxAttempts));
    const needed = attempts + FIFO_RECEIVE_MARGIN;
    if (queue.maxReceiveCount < needed)
      problems.push(
        `queue "${queue.queue}": maxReceiveCount ${queue.maxReceiveCount} is too low for a FIFO queue whose jobs retry up to ${attempts} attempts: ` +
          `FIFO retries wait in place, one receive per attempt, plus room for ${FIFO_RECEIVE_MARGIN} redeliveries; below that SQS would ` +
          `dead-letter a job itself, without its reason. Set maxReceiveCount to at least ${needed}`,
      );
  }
  return problems;
}
