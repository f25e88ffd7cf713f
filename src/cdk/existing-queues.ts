import type { QueueSettings } from './queue-settings.js';
import type { WharfJobsProps } from './wharf-jobs-props.js';

// Queues a user brings (`queues.<name>.existingQueues`): what can be checked at synth, and what cannot.

export function existingQueueProblems(props: WharfJobsProps, settings: readonly QueueSettings[]): string[] {
  const problems: string[] = [];
  if (props.queueDefaults?.existingQueues) {
    problems.push(
      'queueDefaults.existingQueues: existing queues belong to one queue: set them in queues.<queue>',
    );
  }
  for (const s of settings) {
    const given = props.queues?.[s.queue]?.existingQueues;
    if (!given) continue;
    for (const [field, queue] of [
      ['queue', given.queue],
      ['deadLetterQueue', given.deadLetterQueue],
    ] as const) {
      // An imported queue knows whether it is FIFO from its ARN or name; a mismatch would fail every send.
      if (queue.fifo !== s.fifo) {
        problems.push(
          `queues.${s.queue}.existingQueues.${field}: it is ${queue.fifo ? 'a FIFO' : 'a standard'} queue, but the queue is ` +
            `configured with fifo: ${s.fifo}: set fifo to ${queue.fifo}, or give a ${s.fifo ? 'FIFO' : 'standard'} queue`,
        );
      }
    }
  }
  return problems;
}

/** The lint cannot read queues made elsewhere: what they must have, said at synth. */
export function uncheckedQueuesWarning(queues: readonly string[]): string {
  return (
    `wharf: queues ${queues.join(', ')} exist already, so their settings cannot be checked at synth: each needs a ` +
    'redrive policy to its dead-letter queue with maxReceiveCount 5 or more, a visibility timeout of at least 6 × ' +
    'the worker timeout, and a dead-letter retention longer than its own (infra/README.md, "Options per queue, and bringing your own resources")'
  );
}
