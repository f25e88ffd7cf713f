import type { HeldMessage, QueueAdmin } from '../transport/admin-types.js';
import { matchesRef } from './dead-letter-view.js';
import type { DeadLetterView } from './types.js';
import { walkDeadLetters } from './walk-dead-letters.js';

export interface FindOptions {
  readonly admin: QueueAdmin;
  readonly queues: readonly string[];
  readonly holdSeconds: number;
  readonly view: (queue: string, message: HeldMessage) => DeadLetterView;
  /** Stop once this many have been collected. */
  readonly limit: number;
  /** Only dead letters this accepts are collected. @default every one */
  readonly filter?: (view: DeadLetterView) => boolean;
}

/**
 * Collects dead letters queue by queue without consuming them (see walkDeadLetters): each batch is held while
 * the listing goes on and released at the end. Collects one more than `limit` so the caller knows whether the
 * listing is complete.
 */
export async function collectDeadLetters(o: FindOptions): Promise<DeadLetterView[]> {
  const collected: DeadLetterView[] = [];
  const isDone = () => collected.length > o.limit;
  for (const queue of o.queues) {
    if (isDone()) break;
    await walkDeadLetters(o.admin, queue, { holdSeconds: o.holdSeconds, isDone }, async (batch) => {
      for (const message of batch) {
        const view = o.view(queue, message);
        if (!o.filter || o.filter(view)) collected.push(view);
      }
      return { deleted: [] };
    });
  }
  return collected;
}

/** The first dead letter a reference names (its message id, or the id of the job it carries). */
export async function findDeadLetter(
  o: Omit<FindOptions, 'limit' | 'filter'>,
  ref: string,
): Promise<DeadLetterView | undefined> {
  const [hit] = await collectDeadLetters({ ...o, limit: 0, filter: (view) => matchesRef(view, ref) });
  return hit;
}
