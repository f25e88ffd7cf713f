import { summarizeError } from '../envelope/envelope.js';
import { InvalidPayloadError } from '../errors.js';
import { limitKey } from '../job/flow-keys.js';
import type { DeferralWhy, SlotRef } from '../store/types.js';
import type { DeferWhy } from './events.js';
import { type DeferralPatch, deadLetter, defer } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { Disposition, RunState } from './types.js';
import { deferralsSoFar } from './wait-in-place.js';

/** A run let through: the concurrency slot it holds, to give back when the run ends. */
export interface Passed {
  readonly slot?: SlotRef;
}

/** A put-off delivery waits at least this long (SQS delays are whole seconds) and at most the cap. */
const MIN_WAIT_MS = 1_000;
const CONCURRENCY_WAIT_CAP_MS = 30_000;
const PAUSE_WAIT_CAP_MS = 5 * 60_000;

/**
 * Flow control before a run: a paused job type or queue, then a concurrency slot, then a throttle start. Each
 * puts the job off (a deferral: no attempt used, counted, the reason noted on its record) rather than waiting in
 * the worker. Runs before the exactly-once claim, so a job held back writes no claim it would have to undo.
 */
export async function passFlowControl(
  o: ResolvedEngineOptions,
  state: RunState,
  payload: unknown,
): Promise<Passed | Disposition> {
  if (!o.store) return {};
  const now = o.clock.nowMs();
  const pause = await o.pauses?.pauseOf(state.job.name, state.message.queue, now);
  if (pause) return putOff(o, state, 'paused', backoffWait(o, state, PAUSE_WAIT_CAP_MS), {});
  const flow = state.job.options.flow;
  const held = state.envelope.reservedStartMs;
  // A message holding a throttle start that came back a little early (SQS delays round, clocks differ) waits for
  // it, keeping it: taking another start would count this job twice.
  if (flow.throttle && held !== undefined && held > now) return defer(o, state, 'not-due', held - now);
  const keys = limitKeys(state, payload);
  if ('problem' in keys) return badKey(o, state, keys.problem);
  let slot: SlotRef | undefined;
  if (flow.concurrency) {
    const holder = `${state.envelope.id}#${state.attempt}#${o.random().toString(36).slice(2, 10)}`;
    const ref = { key: scoped(state, keys.concurrency), holder, nowMs: now };
    const result = await o.store.acquireSlot({
      ...ref,
      limit: flow.concurrency.limit,
      leaseExpiresAtMs: now + state.job.options.timeoutMs + o.leaseMarginMs,
    });
    if (result.kind === 'full') {
      const untilLeaseEnds = Math.max(MIN_WAIT_MS, result.earliestLeaseEndMs - now);
      const wait = Math.min(backoffWait(o, state, CONCURRENCY_WAIT_CAP_MS), untilLeaseEnds);
      // A throttle start this message held is given up: kept, it could start later than its slot and crowd the
      // starts after it into one period.
      return putOff(o, state, 'concurrency', wait, { reservedStartMs: undefined, key: keys.concurrency });
    }
    slot = ref;
  }
  if (flow.throttle && held === undefined) {
    const result = await o.store.takeThrottle({
      key: scoped(state, keys.throttle),
      limit: flow.throttle.limit,
      periodMs: flow.throttle.periodMs,
      burst: flow.throttle.burst,
      nowMs: now,
    });
    if (result.kind === 'reserved') {
      if (slot) await releaseSlot(o, slot);
      return putOff(o, state, 'throttle', result.atMs - now, {
        reservedStartMs: result.atMs,
        key: keys.throttle,
      });
    }
  }
  return slot ? { slot } : {};
}

/** Gives a slot back when the run ended; a failure leaves it to lapse with its lease. */
export async function releaseSlot(o: ResolvedEngineOptions, slot: SlotRef): Promise<void> {
  await o.store?.releaseSlot({ ...slot, nowMs: o.clock.nowMs() }).catch(() => undefined);
}

function limitKeys(
  state: RunState,
  payload: unknown,
): { concurrency?: string; throttle?: string } | { problem: string } {
  const flow = state.job.options.flow;
  const problems: string[] = [];
  const concurrency = flow.concurrency?.key
    ? limitKey(flow.concurrency.key, payload, 'concurrency.key', problems)
    : undefined;
  const throttle = flow.throttle?.key
    ? limitKey(flow.throttle.key, payload, 'throttle.key', problems)
    : undefined;
  if (problems.length > 0) return { problem: problems.join('; ') };
  return { concurrency, throttle };
}

/** `<job name>/<key>`: two jobs keyed by the same value keep limits of their own. */
function scoped(state: RunState, key: string | undefined): string {
  return key === undefined ? state.job.name : `${state.job.name}/${key}`;
}

/**
 * Doubling from one second per deferral, capped, with jitter over the upper half so that jobs held back together
 * do not all come back together.
 */
function backoffWait(o: ResolvedEngineOptions, state: RunState, capMs: number): number {
  const deferrals = Math.min(deferralsSoFar(state), 20);
  const ceiling = Math.min(capMs, MIN_WAIT_MS * 2 ** deferrals);
  return Math.max(MIN_WAIT_MS, Math.round(ceiling * (0.5 + 0.5 * o.random())));
}

/** Defers, and notes why and until when on the job's record (best-effort) for the CLI and dashboard. */
async function putOff(
  o: ResolvedEngineOptions,
  state: RunState,
  why: DeferralWhy & DeferWhy,
  waitMs: number,
  patch: DeferralPatch,
): Promise<Disposition> {
  const disposition = await defer(o, state, why, waitMs, patch);
  if (disposition.action === 'ack' && o.store && state.job.options.idempotency !== 'off') {
    const now = o.clock.nowMs();
    await o.store
      .noteDeferral({
        jobId: state.envelope.id,
        jobName: state.job.name,
        queue: state.job.options.queue,
        attempt: state.attempt,
        createdAtMs: state.envelope.createdAtMs,
        nowMs: now,
        expiresAtSec: Math.ceil((now + o.recordRetentionMs) / 1000),
        payload: state.envelope.payload,
        note: {
          why,
          untilMs: now + waitMs,
          count: deferralsSoFar(state) + 1,
          ...(patch.key === undefined ? {} : { key: patch.key }),
        },
      })
      .catch(() => undefined);
  }
  return disposition;
}

/** A key function that throws or returns no usable key at the worker: the payload cannot be run under its limit. */
function badKey(o: ResolvedEngineOptions, state: RunState, problem: string): Promise<Disposition> {
  const error = summarizeError(new InvalidPayloadError(state.job.name, [problem]));
  return deadLetter(o, state, 'invalid-payload', error);
}
