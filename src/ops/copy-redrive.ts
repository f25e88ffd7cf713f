import { groupKeysOfBody } from '../envelope/deduplication.js';
import type { HeldMessage, QueueAdmin } from '../transport/admin-types.js';
import type { OutgoingMessage } from '../transport/types.js';
import type { BulkFailure, BulkItem, BulkProgress, DeadLetterView } from './types.js';
import { walkDeadLetters } from './walk-dead-letters.js';

/** Counts what a bulk action did, and reports progress after every batch. */
export class Tally {
  readonly succeeded: BulkItem[] = [];
  readonly failed: BulkFailure[] = [];
  constructor(
    private readonly onProgress?: (progress: BulkProgress) => void,
    private readonly total?: (queue: string) => number | undefined,
  ) {}
  ok(item: BulkItem): void {
    this.succeeded.push(item);
  }
  fail(failure: BulkFailure): void {
    this.failed.push(failure);
  }
  progress(queue: string): void {
    const total = this.total?.(queue);
    this.onProgress?.({
      queue,
      done: this.succeeded.filter((i) => i.queue === queue).length,
      failed: this.failed.filter((f) => f.queue === queue).length,
      ...(total !== undefined ? { total } : {}),
    });
  }
}

export interface CopyContext {
  readonly admin: QueueAdmin;
  readonly queue: string;
  readonly holdSeconds: number;
  readonly view: (message: HeldMessage) => DeadLetterView;
  readonly matches: (view: DeadLetterView) => boolean;
  /** Everything asked for has been handled: stop receiving. */
  readonly isDone?: () => boolean;
  /** Before a retry: a reason not to send this one (its payload no longer validates...). */
  readonly check?: (view: DeadLetterView, message: HeldMessage) => Promise<BulkFailure | undefined>;
  /** Waits as long as a batch of `count` takes at the requested rate. */
  readonly pace: (count: number) => Promise<void>;
  readonly tally: Tally;
  readonly signal?: AbortSignal;
}

interface Chosen {
  readonly message: HeldMessage;
  readonly view: DeadLetterView;
}

const NOT_DELETED_NOTE =
  'sent back, but the dead letter could not be deleted and is still in the DLQ: retrying it again runs the ' +
  'job again (exactly-once jobs acknowledge the duplicate)';

/**
 * Retry by copy-then-delete: each chosen dead letter is sent back to its queue unchanged (same body, same job
 * id, same attributes), and deleted from the DLQ only once SQS confirmed that very copy. A crash in between
 * leaves both, so the job may run twice but is never lost (invariant 1); the job id makes the second run a
 * duplicate for exactly-once jobs (invariant 2).
 */
export async function retryByCopy(ctx: CopyContext): Promise<void> {
  await walkDeadLetters(ctx.admin, ctx.queue, walkOptions(ctx), async (batch) => {
    const ready: Chosen[] = [];
    for (const chosen of choose(ctx, batch)) {
      const problem = await ctx.check?.(chosen.view, chosen.message);
      if (problem) ctx.tally.fail(problem);
      else ready.push(chosen);
    }
    if (ready.length === 0) return { deleted: [] };
    await ctx.pace(ready.length);
    const outcomes = await ctx.admin.sendToQueue(ctx.queue, ready.map(copyOf));
    const copied = ready.filter((_, i) => outcomes[i]?.ok === true);
    ready.forEach((chosen, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) return;
      ctx.tally.fail({
        ...identify(chosen.view),
        code: outcome?.code ?? 'unaccounted',
        message: `the copy was not confirmed (${outcome?.message ?? 'no outcome'}); the dead letter stays in the DLQ`,
      });
    });
    const deleted = await deleteConfirmed(ctx, copied);
    for (const chosen of copied) {
      const note = deleted.has(chosen.message.messageId) ? {} : { note: NOT_DELETED_NOTE };
      ctx.tally.ok({ ...identify(chosen.view), ...note });
    }
    ctx.tally.progress(ctx.queue);
    return { deleted: [...deleted] };
  });
}

/** Discard: deletes the chosen dead letters for good. */
export async function discardByDelete(ctx: CopyContext): Promise<void> {
  await walkDeadLetters(ctx.admin, ctx.queue, walkOptions(ctx), async (batch) => {
    const chosen = choose(ctx, batch);
    if (chosen.length === 0) return { deleted: [] };
    await ctx.pace(chosen.length);
    const deleted = await deleteConfirmed(ctx, chosen);
    for (const item of chosen) {
      if (deleted.has(item.message.messageId)) ctx.tally.ok(identify(item.view));
      else
        ctx.tally.fail({
          ...identify(item.view),
          code: 'WHARF_TRANSPORT',
          message: 'the dead letter could not be deleted; it is still in the DLQ',
        });
    }
    ctx.tally.progress(ctx.queue);
    return { deleted: [...deleted] };
  });
}

function walkOptions(ctx: CopyContext) {
  return {
    holdSeconds: ctx.holdSeconds,
    ...(ctx.isDone ? { isDone: ctx.isDone } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

function choose(ctx: CopyContext, batch: readonly HeldMessage[]): Chosen[] {
  return batch
    .map((message) => ({ message, view: ctx.view(message) }))
    .filter((chosen) => ctx.matches(chosen.view));
}

/** The message ids whose deletion was confirmed. */
async function deleteConfirmed(ctx: CopyContext, chosen: readonly Chosen[]): Promise<Set<string>> {
  if (chosen.length === 0) return new Set();
  const failures = await ctx.admin.deleteDeadLetters(
    ctx.queue,
    chosen.map((c) => c.message.handle),
  );
  const notDeleted = new Set(failures.map((f) => f.receiptHandle));
  return new Set(chosen.filter((c) => !notDeleted.has(c.message.handle)).map((c) => c.message.messageId));
}

/** The dead letter as it was: a redriven job keeps its id, and its story tells the worker it is a redrive. */
function copyOf({ message }: Chosen): OutgoingMessage {
  // A FIFO queue's dead letter goes back to its group, under a deduplication id of its own (deduplication.ts).
  const keys = groupKeysOfBody(message.body);
  return { body: message.body, attributes: message.attributes, delaySeconds: 0, ...keys };
}

function identify(view: DeadLetterView): BulkItem {
  return {
    queue: view.queue,
    messageId: view.messageId,
    ...(view.jobId !== undefined ? { jobId: view.jobId } : {}),
  };
}
