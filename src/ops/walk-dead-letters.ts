import type { HeldMessage, QueueAdmin } from '../transport/admin-types.js';

export interface WalkOptions {
  /** How long each received batch stays hidden while the walk lasts; released at the end either way. */
  readonly holdSeconds: number;
  /** Stops the walk early (everything looked for was found, the listing is full). */
  readonly isDone?: () => boolean;
  readonly signal?: AbortSignal;
}

/**
 * What a visit did with its batch: the ids it deleted are not released at the end (their handles are spent).
 */
export interface VisitResult {
  readonly deleted: readonly string[];
}

/**
 * Visits every dead letter of a queue once, in batches, without consuming any: each batch stays held while the
 * walk goes on (so the next receive returns others), and whatever the visits did not delete is released when the
 * walk ends, also when a visit throws. A process that dies mid-walk releases nothing, and its holds simply run
 * out after `holdSeconds`: nothing is lost either way.
 *
 * The walk ends when a receive returns nothing, or only dead letters it has already seen (their holds ran out
 * during a long walk, which means every other one has been seen too).
 */
export async function walkDeadLetters(
  admin: QueueAdmin,
  queue: string,
  options: WalkOptions,
  visit: (batch: readonly HeldMessage[]) => Promise<VisitResult>,
): Promise<void> {
  const held = new Map<string, string>();
  const seen = new Set<string>();
  try {
    while (!options.isDone?.() && !options.signal?.aborted) {
      const batch = await admin.holdDeadLetters(queue, { max: 10, holdSeconds: options.holdSeconds });
      for (const message of batch) held.set(message.messageId, message.handle);
      const fresh = batch.filter((message) => !seen.has(message.messageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.add(message.messageId);
      const { deleted } = await visit(fresh);
      for (const id of deleted) held.delete(id);
    }
  } finally {
    await releaseQuietly(admin, queue, [...held.values()]);
  }
}

/** Best effort: a handle that cannot be released becomes visible anyway when its hold ends. */
async function releaseQuietly(admin: QueueAdmin, queue: string, handles: readonly string[]): Promise<void> {
  if (handles.length === 0) return;
  try {
    await admin.releaseDeadLetters(queue, handles);
  } catch {
    // The hold runs out on its own.
  }
}
