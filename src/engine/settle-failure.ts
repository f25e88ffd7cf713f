import { summarizeError } from '../envelope/envelope.js';
import { runFailureHooks } from './failure-hooks.js';
import { deadLetter, discard, scheduleRetry } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import { decideRetry } from './retry-decision.js';
import type { Disposition, RunState } from './types.js';

/**
 * A failed attempt: discarded, dead-lettered or retried, as the job's retry policy decides for what it threw.
 * Then, once that is durable, the hooks after a failure (failure-hooks.ts): the reporter, `onFailure`, `onDead`.
 * A disposition that releases the message made nothing durable: only the reporter hears of it.
 */
export async function settleFailure(
  o: ResolvedEngineOptions,
  state: RunState,
  thrown: unknown,
  deadlineMs: number | undefined,
): Promise<Disposition> {
  const error = summarizeError(thrown);
  const decision = decideRetry(state.job.options, state.attempt, thrown, o.random);
  let disposition: Disposition;
  if (decision.kind === 'discard') disposition = await discard(o, state, error);
  else if (decision.kind === 'dead')
    disposition = await deadLetter(o, state, decision.reason, error, { hooks: false });
  else disposition = await scheduleRetry(o, state, error, decision.delayMs);
  const step =
    disposition.action === 'release'
      ? { outcome: 'released' as const }
      : decision.kind === 'discard'
        ? { outcome: 'discarded' as const }
        : decision.kind === 'dead'
          ? { outcome: 'dead-lettered' as const, deadLetterReason: decision.reason }
          : { outcome: 'retry-scheduled' as const, retryDelayMs: decision.delayMs };
  const after = runFailureHooks(o, state, thrown, step, true, deadlineMs);
  if (after) await after;
  return disposition;
}
