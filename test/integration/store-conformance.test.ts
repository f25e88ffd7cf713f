import { beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { type ClaimResult, type JobRecord, type JobStore, RESULT_MAX_BYTES } from '../../src/store/types';
import type { RequestCounter } from '../helpers/aws';
import {
  anError,
  claimedOf,
  claimInput,
  dynamoAdapter,
  failInput,
  LEASE_MS,
  memoryAdapter,
  newJobId,
  requestsOf,
  succeedInput,
  T0,
} from '../helpers/job-store';
import { describeBatches } from './store-batch-conformance';
import { describeEnqueueControl, describeEnqueueItems } from './store-enqueue-conformance';
import { describeFlowControl, describeFlowItemsHidden } from './store-flow-conformance';

/** The claim that lost a race is told to come back when the winner's lease ends, not sooner. */
function expectLoserToWaitForWinner(results: readonly ClaimResult[]) {
  const winner = results.find((r) => r.kind === 'claimed');
  const loser = results.find((r) => r.kind === 'busy');
  expect(loser).toEqual({
    kind: 'busy',
    leaseExpiresAtMs: winner?.kind === 'claimed' ? winner.leaseExpiresAtMs : NaN,
  });
}

const leaseLost = (promise: Promise<unknown>) =>
  expect(promise).rejects.toSatisfy((error) => hasCode(error, 'WHARF_LEASE_LOST'));

describe.each([memoryAdapter, dynamoAdapter])('JobStore ($name)', (adapter) => {
  let store: JobStore;
  beforeAll(async () => {
    ({ store } = await adapter.create());
  });

  /** A job claimed at T0 whose run crashed (never recorded an outcome), and a second run that took it over. */
  async function takenOver() {
    const jobId = newJobId();
    const first = claimedOf(await store.claim(claimInput(jobId)));
    const second = claimedOf(await store.claim(claimInput(jobId, { nowMs: first.leaseExpiresAtMs })));
    return { jobId, first, second };
  }

  describe('claim', () => {
    it('claims a job it has never seen at the attempt its message carries', async () => {
      const jobId = newJobId();
      const result = await store.claim(claimInput(jobId));
      expect(result).toEqual({ kind: 'claimed', attempt: 1, fence: 1, leaseExpiresAtMs: T0 + LEASE_MS });
      expect(await store.get(jobId, T0)).toEqual({
        jobId,
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        status: 'running',
        attempt: 1,
        nextAttempt: 2,
        fence: 1,
        leaseExpiresAtMs: T0 + LEASE_MS,
        createdAtMs: T0,
        startedAtMs: T0,
        updatedAtMs: T0,
        expiresAtSec: claimInput(jobId).expiresAtSec,
      });
    });

    it('returns the stored outcome to a duplicate of a completed job', async () => {
      const jobId = newJobId();
      const { fence } = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(succeedInput(jobId, fence, { result: { messageId: 'm-1' } }));
      const duplicate = await store.claim(claimInput(jobId, { nowMs: T0 + 2_000 }));
      expect(duplicate.kind).toBe('completed');
      expect(duplicate.kind === 'completed' && duplicate.record).toMatchObject({
        status: 'succeeded',
        result: { messageId: 'm-1' },
      });
    });

    // Issue 12, S16: a job id names one job. Before, a succeeded record answered `completed` to any claim of its
    // id, so a second job (or another payload) was acknowledged as a duplicate and never ran.
    it('answers reused, not completed, to a claim of the id by another job, and leaves the record as it was', async () => {
      const jobId = newJobId();
      const { fence } = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(succeedInput(jobId, fence));
      const before = await store.get(jobId, T0 + 2_000);
      const other = await store.claim(claimInput(jobId, { nowMs: T0 + 2_000, jobName: 'chargeCard' }));
      expect(other).toEqual({ kind: 'reused', why: 'job', record: before });
      expect(await store.get(jobId, T0 + 2_000)).toEqual(before);
    });

    it('answers reused to a claim with another payload fingerprint, whatever the status, and completed to the same one', async () => {
      const jobId = newJobId();
      const claim = (nowMs: number, payloadHash: string) =>
        store.claim(claimInput(jobId, { nowMs, payloadHash }));
      const { fence } = claimedOf(await claim(T0, 'sha256:a'));
      expect(await claim(T0 + 1, 'sha256:b')).toMatchObject({ kind: 'reused', why: 'payload' });
      expect((await store.get(jobId, T0 + 1))?.payloadHash).toBe('sha256:a');
      await store.succeed(succeedInput(jobId, fence));
      expect(await claim(T0 + 2_000, 'sha256:b')).toMatchObject({ kind: 'reused', why: 'payload' });
      expect((await claim(T0 + 2_000, 'sha256:a')).kind).toBe('completed');
    });

    it('hands a concurrent duplicate back as busy without using an attempt', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId)));
      const duplicate = await store.claim(claimInput(jobId, { nowMs: T0 + 1_000 }));
      expect(duplicate).toEqual({ kind: 'busy', leaseExpiresAtMs: T0 + LEASE_MS });
      expect(await store.get(jobId, T0 + 1_000)).toMatchObject({ attempt: 1, fence: 1, status: 'running' });
    });

    it('counts a lease as live until the millisecond it expires', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId)));
      expect((await store.claim(claimInput(jobId, { nowMs: T0 + LEASE_MS - 1 }))).kind).toBe('busy');
      expect((await store.claim(claimInput(jobId, { nowMs: T0 + LEASE_MS }))).kind).toBe('claimed');
    });

    it('takes over a crashed run once its lease has expired, counting the crashed run as an attempt', async () => {
      const { jobId, second } = await takenOver();
      expect(second).toEqual({ kind: 'claimed', attempt: 2, fence: 2, leaseExpiresAtMs: T0 + 2 * LEASE_MS });
      expect(await store.get(jobId, T0 + LEASE_MS)).toMatchObject({
        status: 'running',
        attempt: 2,
        fence: 2,
        createdAtMs: T0,
        startedAtMs: T0 + LEASE_MS,
      });
    });

    it('takes over a crashed run at the later attempt when the message carries one', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId)));
      // The run sent its retry (attempt 3 after a crash-counted attempt 2) and died before recording it.
      const result = claimedOf(await store.claim(claimInput(jobId, { attempt: 3, nowMs: T0 + LEASE_MS })));
      expect(result.attempt).toBe(3);
    });

    it('restarts attempts when a redrive takes over a crashed run', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId, { attempt: 5 })));
      const result = await store.claim(
        claimInput(jobId, { attempt: 1, isRedrive: true, nowMs: T0 + LEASE_MS }),
      );
      expect(result).toMatchObject({ kind: 'claimed', attempt: 1, fence: 2 });
    });

    it('lets exactly one of two racing claims win', async () => {
      const jobIds = Array.from({ length: 10 }, newJobId);
      const races = await Promise.all(
        jobIds.map((jobId) => Promise.all([store.claim(claimInput(jobId)), store.claim(claimInput(jobId))])),
      );
      for (const results of races) {
        expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'claimed']);
        expectLoserToWaitForWinner(results);
      }
      for (const jobId of jobIds) expect((await store.get(jobId, T0))?.fence).toBe(1);
    });

    it('lets two runs racing to take over a crashed run produce exactly one owner', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId)));
      const late = claimInput(jobId, { nowMs: T0 + LEASE_MS });
      const results = await Promise.all([store.claim(late), store.claim(late)]);
      expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'claimed']);
      expectLoserToWaitForWinner(results);
      expect(await store.get(jobId, late.nowMs)).toMatchObject({ attempt: 2, fence: 2 });
    });

    it('lets two runs racing to start an expired record over produce exactly one owner', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId, { expiresAtSec: T0 / 1000 + 1 })));
      const afterRetention = claimInput(jobId, { nowMs: T0 + 5_000 });
      const results = await Promise.all([store.claim(afterRetention), store.claim(afterRetention)]);
      expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'claimed']);
      expectLoserToWaitForWinner(results);
      expect(await store.get(jobId, afterRetention.nowMs)).toMatchObject({
        fence: 2,
        createdAtMs: T0 + 5_000,
      });
    });

    it('never lets a takeover and a lease extension by the slow run both win', async () => {
      const jobId = newJobId();
      const slow = claimedOf(await store.claim(claimInput(jobId)));
      const now = T0 + LEASE_MS;
      const [takeover, extension] = await Promise.all([
        store.claim(claimInput(jobId, { nowMs: now })),
        store.extendLease({ jobId, fence: slow.fence, nowMs: now, leaseExpiresAtMs: now + LEASE_MS }).then(
          () => 'extended',
          (error: unknown) => (hasCode(error, 'WHARF_LEASE_LOST') ? 'lost' : error),
        ),
      ]);
      // Either order is a correct outcome; both winning is the bug.
      expect([takeover.kind, extension]).toEqual(
        takeover.kind === 'claimed' ? ['claimed', 'lost'] : ['busy', 'extended'],
      );
    });

    it('never lets a takeover and a late outcome of the slow run both win', async () => {
      const jobId = newJobId();
      const slow = claimedOf(await store.claim(claimInput(jobId)));
      const now = T0 + LEASE_MS;
      const [takeover, outcome] = await Promise.all([
        store.claim(claimInput(jobId, { nowMs: now })),
        store.succeed(succeedInput(jobId, slow.fence, { nowMs: now })).then(
          () => 'recorded',
          (error: unknown) => (hasCode(error, 'WHARF_LEASE_LOST') ? 'lost' : error),
        ),
      ]);
      expect([takeover.kind, outcome]).toEqual(
        takeover.kind === 'claimed' ? ['claimed', 'lost'] : ['completed', 'recorded'],
      );
      const record = await store.get(jobId, now);
      expect(record?.status).toBe(takeover.kind === 'claimed' ? 'running' : 'succeeded');
    });

    it('drops a stale duplicate of an older attempt once a retry is scheduled, and lets the retry claim', async () => {
      const jobId = newJobId();
      const first = claimedOf(await store.claim(claimInput(jobId)));
      await store.fail(failInput(jobId, first.fence, 'retrying', { nextAttempt: 2 }));
      const stale = await store.claim(claimInput(jobId, { attempt: 1, nowMs: T0 + 5_000 }));
      expect(stale.kind).toBe('superseded');
      expect(stale.kind === 'superseded' && stale.record).toMatchObject({
        status: 'retrying',
        nextAttempt: 2,
      });
      const retry = await store.claim(claimInput(jobId, { attempt: 2, nowMs: T0 + 6_000 }));
      expect(retry).toMatchObject({ kind: 'claimed', attempt: 2, fence: 2 });
      expect(await store.get(jobId, T0 + 6_000)).toMatchObject({
        status: 'running',
        attempt: 2,
        lastError: anError,
      });
    });

    it('lets a message waiting in place claim the next attempt the record holds (FIFO retries)', async () => {
      const jobId = newJobId();
      const first = claimedOf(await store.claim(claimInput(jobId, { inPlace: true })));
      await store.fail(failInput(jobId, first.fence, 'retrying', { nextAttempt: 2 }));
      // The same message comes back: its body still says attempt 1, which without the flag is a stale duplicate.
      const again = await store.claim(claimInput(jobId, { attempt: 1, inPlace: true, nowMs: T0 + 30_000 }));
      expect(again).toMatchObject({ kind: 'claimed', attempt: 2, fence: 2 });
      expect(await store.get(jobId, T0 + 30_000)).toMatchObject({
        status: 'running',
        attempt: 2,
        nextAttempt: 3,
        lastError: anError,
      });
      const second = claimedOf(again);
      await store.fail(failInput(jobId, second.fence, 'retrying', { attempt: 2, nextAttempt: 3 }));
      const third = await store.claim(claimInput(jobId, { attempt: 1, inPlace: true, nowMs: T0 + 60_000 }));
      expect(third).toMatchObject({ kind: 'claimed', attempt: 3, fence: 3 });
    });

    it('answers a message waiting in place as before for every other record: done, running, dead, crashed', async () => {
      const done = newJobId();
      await store.succeed(succeedInput(done, claimedOf(await store.claim(claimInput(done))).fence));
      expect((await store.claim(claimInput(done, { inPlace: true }))).kind).toBe('completed');

      const running = newJobId();
      claimedOf(await store.claim(claimInput(running, { inPlace: true })));
      expect(await store.claim(claimInput(running, { inPlace: true, nowMs: T0 + 1 }))).toMatchObject({
        kind: 'busy',
      });
      // Its run crashed: the takeover counts it, as for any message.
      const late = claimInput(running, { inPlace: true, nowMs: T0 + LEASE_MS });
      expect(await store.claim(late)).toMatchObject({ kind: 'claimed', attempt: 2 });

      const dead = newJobId();
      await store.fail(failInput(dead, claimedOf(await store.claim(claimInput(dead))).fence, 'dead'));
      const afterDead = await store.claim(claimInput(dead, { inPlace: true, nowMs: T0 + 60_000 }));
      expect(afterDead.kind === 'superseded' && afterDead.record.status).toBe('dead');
    });

    it('counts a redriven message waiting in place from its redrive on', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId, { attempt: 3 })));
      await store.fail(failInput(jobId, run.fence, 'dead', { attempt: 3 }));
      const redrive = claimInput(jobId, { attempt: 1, isRedrive: true, inPlace: true, nowMs: T0 + 60_000 });
      const redriven = claimedOf(await store.claim(redrive));
      expect(redriven).toMatchObject({ attempt: 1 });
      await store.fail(failInput(jobId, redriven.fence, 'retrying', { attempt: 1, nextAttempt: 2 }));
      expect(await store.claim({ ...redrive, nowMs: T0 + 90_000 })).toMatchObject({
        kind: 'claimed',
        attempt: 2,
      });
    });

    it('restarts attempts when an operator redrives a dead job', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId, { attempt: 5 })));
      await store.fail(failInput(jobId, run.fence, 'dead', { attempt: 5 }));
      const redrive = await store.claim(
        claimInput(jobId, { attempt: 1, isRedrive: true, nowMs: T0 + 60_000 }),
      );
      expect(redrive).toMatchObject({ kind: 'claimed', attempt: 1, fence: 2 });
      const record = await store.get(jobId, T0 + 60_000);
      expect(record).toMatchObject({ status: 'running', attempt: 1, nextAttempt: 2 });
      expect(record?.finishedAtMs).toBeUndefined();
    });

    it('drops the message of a dead job unless it is a redrive, and of a discarded job always', async () => {
      const dead = newJobId();
      await store.fail(failInput(dead, claimedOf(await store.claim(claimInput(dead))).fence, 'dead'));
      const notRedrive = await store.claim(claimInput(dead, { nowMs: T0 + 60_000 }));
      expect(notRedrive.kind === 'superseded' && notRedrive.record.status).toBe('dead');

      const discarded = newJobId();
      await store.fail(
        failInput(discarded, claimedOf(await store.claim(claimInput(discarded))).fence, 'discarded'),
      );
      const redrive = await store.claim(claimInput(discarded, { isRedrive: true, nowMs: T0 + 60_000 }));
      expect(redrive.kind === 'superseded' && redrive.record.status).toBe('discarded');
    });

    it('treats a record past its retention as absent and starts the job over with a fresh record', async () => {
      const jobId = newJobId();
      const expiresAtSec = T0 / 1000 + 60;
      const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec })));
      await store.fail(failInput(jobId, run.fence, 'dead', { expiresAtSec }));
      const later = (expiresAtSec + 1) * 1000;
      const again = await store.claim(claimInput(jobId, { nowMs: later }));
      // The fence keeps counting, so no fence of the old life is ever valid again.
      expect(again).toEqual({ kind: 'claimed', attempt: 1, fence: 2, leaseExpiresAtMs: later + LEASE_MS });
      const record = await store.get(jobId, later);
      expect(record).toMatchObject({ status: 'running', createdAtMs: later, attempt: 1 });
      expect(record?.lastError).toBeUndefined();
      expect(record?.failures).toBeUndefined();
      expect(record?.finishedAtMs).toBeUndefined();
    });

    it('keeps a record through the second its expiresAtSec names', async () => {
      const jobId = newJobId();
      const expiresAtSec = T0 / 1000 + 60;
      claimedOf(await store.claim(claimInput(jobId, { expiresAtSec })));
      expect(await store.get(jobId, expiresAtSec * 1000 + 999)).toBeDefined();
      expect(await store.get(jobId, (expiresAtSec + 1) * 1000)).toBeUndefined();
      expect((await store.claim(claimInput(jobId, { nowMs: expiresAtSec * 1000 + 999 }))).kind).toBe(
        'claimed',
      );
    });
  });

  describe('fencing', () => {
    it("rejects a stale run's late outcome after a takeover and keeps the newer run's record", async () => {
      const { jobId, first, second } = await takenOver();
      const now = T0 + LEASE_MS + 1_000;
      await leaseLost(store.succeed(succeedInput(jobId, first.fence, { nowMs: now, result: 'stale' })));
      await leaseLost(store.fail(failInput(jobId, first.fence, 'dead', { nowMs: now })));
      await leaseLost(store.release({ jobId, fence: first.fence, attempt: 1, nowMs: now }));
      await leaseLost(
        store.extendLease({ jobId, fence: first.fence, nowMs: now, leaseExpiresAtMs: now + LEASE_MS }),
      );
      expect(await store.get(jobId, now)).toMatchObject({
        status: 'running',
        attempt: 2,
        fence: second.fence,
      });
      await store.succeed(succeedInput(jobId, second.fence, { nowMs: now, attempt: 2 }));
      expect(await store.get(jobId, now)).toMatchObject({ status: 'succeeded', attempt: 2 });
    });

    it('keeps the lost-lease error code and cause for the engine to match on', async () => {
      const { jobId, first } = await takenOver();
      const error = await store.succeed(succeedInput(jobId, first.fence)).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WHARF_LEASE_LOST', name: 'LeaseLostError' });
      if (adapter.name === 'dynamodb')
        expect((error as Error).cause).toMatchObject({ name: 'ConditionalCheckFailedException' });
    });

    it('accepts the outcome of a run whose lease lapsed when no other run took over', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(succeedInput(jobId, run.fence, { nowMs: T0 + 10 * LEASE_MS }));
      expect(await store.get(jobId, T0 + 10 * LEASE_MS)).toMatchObject({ status: 'succeeded' });
    });

    it('treats the same outcome recorded twice by one run as done, and a different late outcome as lost', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(succeedInput(jobId, run.fence));
      await expect(store.succeed(succeedInput(jobId, run.fence))).resolves.toBeUndefined();
      await leaseLost(store.fail(failInput(jobId, run.fence, 'retrying')));
      expect(await store.get(jobId, T0 + 1_000)).toMatchObject({ status: 'succeeded' });
    });
  });

  describe('outcomes', () => {
    it('records success with its result and finish time, and lets go of the lease', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(
        succeedInput(jobId, run.fence, { nowMs: T0 + 1_500, result: { sent: true, to: ['a@b.c'] } }),
      );
      const record = await store.get(jobId, T0 + 1_500);
      expect(record).toMatchObject({
        status: 'succeeded',
        result: { sent: true, to: ['a@b.c'] },
        createdAtMs: T0 - 5_000,
        startedAtMs: T0,
        finishedAtMs: T0 + 1_500,
        updatedAtMs: T0 + 1_500,
      });
      expect(record?.leaseExpiresAtMs).toBeUndefined();
    });

    it('records a retry with its error, failures and next attempt, and a dead job with its finish time', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.fail(failInput(jobId, run.fence, 'retrying', { nextAttempt: 2 }));
      const retrying = await store.get(jobId, T0 + 1_000);
      expect(retrying).toMatchObject({
        status: 'retrying',
        nextAttempt: 2,
        lastError: anError,
        failures: [{ attempt: 1, atMs: T0 + 1_000, error: anError }],
      });
      expect(retrying?.finishedAtMs).toBeUndefined();
      expect(retrying?.leaseExpiresAtMs).toBeUndefined();

      const retry = claimedOf(await store.claim(claimInput(jobId, { attempt: 2, nowMs: T0 + 2_000 })));
      await store.fail(failInput(jobId, retry.fence, 'dead', { attempt: 2, nowMs: T0 + 3_000 }));
      expect(await store.get(jobId, T0 + 3_000)).toMatchObject({
        status: 'dead',
        attempt: 2,
        finishedAtMs: T0 + 3_000,
      });
    });

    it('keeps results up to RESULT_MAX_BYTES of JSON and leaves larger ones out', async () => {
      const cases = [
        { result: 'x'.repeat(RESULT_MAX_BYTES - 2), kept: true }, // exactly the limit with its quotes
        { result: 'x'.repeat(RESULT_MAX_BYTES - 1), kept: false },
        { result: 'é'.repeat(RESULT_MAX_BYTES / 2), kept: false }, // fewer characters than bytes: bytes count
      ];
      for (const { result, kept } of cases) {
        const jobId = newJobId();
        await store.succeed(
          succeedInput(jobId, claimedOf(await store.claim(claimInput(jobId))).fence, { result }),
        );
        const record = await store.get(jobId, T0 + 1_000);
        expect(record?.status).toBe('succeeded');
        expect(record?.result).toEqual(kept ? result : undefined);
      }
    });

    it('records outcomes without a fence in tracked mode, creating the record or overwriting it', async () => {
      const jobId = newJobId();
      await store.fail(failInput(jobId, undefined, 'retrying', { nextAttempt: 2 }));
      expect(await store.get(jobId, T0 + 1_000)).toMatchObject({
        status: 'retrying',
        nextAttempt: 2,
        fence: 0,
      });
      await store.succeed(succeedInput(jobId, undefined, { attempt: 2, nowMs: T0 + 9_000, result: 7 }));
      const record = await store.get(jobId, T0 + 9_000);
      expect(record).toMatchObject({
        jobId,
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        status: 'succeeded',
        attempt: 2,
        fence: 0,
        result: 7,
        lastError: anError,
        createdAtMs: T0 - 5_000,
        finishedAtMs: T0 + 9_000,
      });
    });
  });

  describe('release and leases', () => {
    it('puts a released job back to queued so that the same attempt can claim it again', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.release({ jobId, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
      const released = await store.get(jobId, T0 + 500);
      expect(released).toMatchObject({ status: 'queued', nextAttempt: 1, updatedAtMs: T0 + 500 });
      expect(released?.leaseExpiresAtMs).toBeUndefined();
      const again = await store.claim(claimInput(jobId, { nowMs: T0 + 1_000 }));
      expect(again).toMatchObject({ kind: 'claimed', attempt: 1, fence: 2 });
    });

    it('pushes the lease out so that a duplicate stays busy until the new expiry', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.extendLease({ jobId, fence: run.fence, nowMs: T0 + 20_000, leaseExpiresAtMs: T0 + 90_000 });
      expect(await store.claim(claimInput(jobId, { nowMs: T0 + 60_000 }))).toEqual({
        kind: 'busy',
        leaseExpiresAtMs: T0 + 90_000,
      });
      expect((await store.claim(claimInput(jobId, { nowMs: T0 + 90_000 }))).kind).toBe('claimed');
    });

    it('refuses to extend the lease of a run that already recorded its outcome', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.succeed(succeedInput(jobId, run.fence));
      await leaseLost(
        store.extendLease({ jobId, fence: run.fence, nowMs: T0 + 2_000, leaseExpiresAtMs: T0 + 99_000 }),
      );
      expect((await store.get(jobId, T0 + 2_000))?.leaseExpiresAtMs).toBeUndefined();
    });
  });

  describe('progress', () => {
    it('records progress on a running job', async () => {
      const jobId = newJobId();
      claimedOf(await store.claim(claimInput(jobId)));
      await store.progress(jobId, { done: 3, total: 10, message: 'rows' }, T0 + 4_000);
      expect(await store.get(jobId, T0 + 4_000)).toMatchObject({
        progress: { done: 3, total: 10, message: 'rows' },
        updatedAtMs: T0 + 4_000,
      });
    });

    it('ignores progress for a missing job and progress that arrives after the outcome', async () => {
      const missing = newJobId();
      await expect(store.progress(missing, { done: 1 }, T0)).resolves.toBeUndefined();
      expect(await store.get(missing, T0)).toBeUndefined();

      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.progress(jobId, { done: 10, total: 10 }, T0 + 500);
      await store.succeed(succeedInput(jobId, run.fence));
      await store.progress(jobId, { done: 4, total: 10 }, T0 + 2_000);
      expect(await store.get(jobId, T0 + 2_000)).toMatchObject({
        progress: { done: 10, total: 10 },
        updatedAtMs: T0 + 1_000,
      });
    });
  });

  describe('get', () => {
    it('returns undefined for a job it has never seen', async () => {
      expect(await store.get(newJobId(), T0)).toBeUndefined();
    });

    it('hands out copies, so changing a returned record or a written input changes nothing stored', async () => {
      const jobId = newJobId();
      const result = { items: [1, 2] };
      await store.succeed(
        succeedInput(jobId, claimedOf(await store.claim(claimInput(jobId))).fence, { result }),
      );
      result.items.push(3);
      const record = (await store.get(jobId, T0 + 1_000)) as {
        -readonly [K in keyof JobRecord]: JobRecord[K];
      };
      record.status = 'dead';
      (record.result as { items: number[] }).items.push(4);
      expect(await store.get(jobId, T0 + 1_000)).toMatchObject({
        status: 'succeeded',
        result: { items: [1, 2] },
      });
    });
  });

  describe('list', () => {
    /**
     * A store of its own: five dead jobs one second apart, two succeeded, one running, and an expired job of
     * each finished kind. Dead is listed through the (sparse) status index, succeeded and running are not.
     */
    async function listedStore() {
      const { store: own } = await adapter.create();
      const ids = { succeeded: [] as string[], dead: [] as string[], running: [] as string[] };
      const finish = async (i: number, status: 'succeeded' | 'dead', expiresAtSec?: number) => {
        const jobId = newJobId();
        const nowMs = T0 + i * 1_000;
        const run = claimedOf(
          await own.claim(claimInput(jobId, { nowMs, ...(expiresAtSec ? { expiresAtSec } : {}) })),
        );
        const at = { nowMs: nowMs + 500, ...(expiresAtSec ? { expiresAtSec } : {}) };
        if (status === 'succeeded') await own.succeed(succeedInput(jobId, run.fence, at));
        else await own.fail(failInput(jobId, run.fence, 'dead', at));
        return jobId;
      };
      for (let i = 0; i < 5; i++) ids.dead.unshift(await finish(i, 'dead')); // newest first
      for (let i = 5; i < 7; i++) ids.succeeded.unshift(await finish(i, 'succeeded'));
      ids.running.push(newJobId());
      claimedOf(await own.claim(claimInput(ids.running[0]!, { nowMs: T0 + 8_000 })));
      await finish(9, 'succeeded', T0 / 1000 + 30); // expired by the time of listing
      await finish(10, 'dead', T0 / 1000 + 30);
      return { own, ids, nowMs: T0 + 60_000 };
    }

    async function allPages(
      own: JobStore,
      query: { status?: JobRecord['status']; limit: number },
      nowMs: number,
    ) {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await own.list({ ...query, ...(cursor ? { cursor } : {}) }, nowMs);
        pages.push(page.records.map((r) => r.jobId));
        cursor = page.cursor;
      } while (cursor !== undefined && pages.length < 20);
      return pages;
    }

    it('lists the jobs of a failure status newest first, page by page, leaving out expired ones', async () => {
      const { own, ids, nowMs } = await listedStore();
      const pages = await allPages(own, { status: 'dead', limit: 2 }, nowMs);
      expect(pages[0]).toEqual(ids.dead.slice(0, 2));
      expect(pages.flat()).toEqual(ids.dead);
      expect(pages.every((p) => p.length <= 2)).toBe(true);
      expect(pages.filter((p) => p.length > 0)).toHaveLength(3);

      const dead = await own.list({ status: 'dead' }, nowMs);
      expect(dead.records.map((r) => r.jobId)).toEqual(ids.dead);
      expect(dead.records[0]).toMatchObject({ status: 'dead', lastError: anError });
    });

    it('lists running and succeeded jobs each exactly once across pages, leaving out expired ones', async () => {
      const { own, ids, nowMs } = await listedStore();
      // In any order: the DynamoDB adapter scans for the statuses its status index leaves out.
      for (const status of ['succeeded', 'running'] as const) {
        const pages = await allPages(own, { status, limit: 1 }, nowMs);
        expect(pages.flat().sort()).toEqual([...ids[status]].sort());
        expect(pages.every((p) => p.length <= 1)).toBe(true);
      }
      const succeeded = await own.list({ status: 'succeeded', limit: 100 }, nowMs);
      expect(succeeded.records.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    });

    it('lists every live job when no status is given', async () => {
      const { own, ids, nowMs } = await listedStore();
      const pages = await allPages(own, { limit: 3 }, nowMs);
      const everyone = [...ids.succeeded, ...ids.dead, ...ids.running];
      expect(pages.flat().sort()).toEqual(everyone.sort());
      expect(pages.slice(0, 2).map((p) => p.length)).toEqual([3, 3]);
    });

    it('rejects a limit outside 1..100 and a cursor it did not issue, saying what to change', async () => {
      await expect(store.list({ limit: 0 }, T0)).rejects.toMatchObject({ code: 'WHARF_INVALID_OPTIONS' });
      await expect(store.list({ limit: 101 }, T0)).rejects.toThrow(
        /limit must be an integer from 1 to 100, received 101/,
      );
      await expect(store.list({ status: 'dead', cursor: 'bm90IGEgY3Vyc29y' }, T0)).rejects.toThrow(/cursor/);
    });

    describeFlowItemsHidden(adapter);
  });

  describeFlowControl(adapter, () => store);

  describeEnqueueControl(adapter, () => store);

  describeBatches(adapter, () => store);

  describe('enqueue control items', () => {
    describeEnqueueItems(adapter);
  });
});

describe('JobStore (dynamodb) request budget', () => {
  let store: JobStore;
  let counter: RequestCounter;
  beforeAll(async () => {
    const created = await dynamoAdapter.create();
    store = created.store;
    counter = created.counter!;
  });

  it('claims a new job, a due retry and a redrive with one write each and no read', async () => {
    const jobId = newJobId();
    let run = { fence: 0 };
    expect(
      await requestsOf(counter, async () => (run = claimedOf(await store.claim(claimInput(jobId))))),
    ).toEqual({ writes: 1, reads: 0 });
    await store.fail(failInput(jobId, run.fence, 'retrying', { nextAttempt: 2 }));
    const retry = claimInput(jobId, { attempt: 2, nowMs: T0 + 5_000 });
    expect(await requestsOf(counter, async () => (run = claimedOf(await store.claim(retry))))).toEqual({
      writes: 1,
      reads: 0,
    });
    await store.fail(failInput(jobId, run.fence, 'dead', { attempt: 2 }));
    const redrive = claimInput(jobId, { isRedrive: true, nowMs: T0 + 9_000 });
    expect(await requestsOf(counter, async () => claimedOf(await store.claim(redrive)))).toEqual({
      writes: 1,
      reads: 0,
    });
  });

  it('claims the next attempt of a message waiting in place with two writes and no read', async () => {
    const jobId = newJobId();
    const run = claimedOf(await store.claim(claimInput(jobId, { inPlace: true })));
    await store.fail(failInput(jobId, run.fence, 'retrying', { nextAttempt: 2 }));
    // The first write's condition cannot know the record's attempt; the second, conditioned on it, claims.
    const again = claimInput(jobId, { attempt: 1, inPlace: true, nowMs: T0 + 30_000 });
    expect(await requestsOf(counter, async () => claimedOf(await store.claim(again)))).toEqual({
      writes: 2,
      reads: 0,
    });
  });

  it('answers a duplicate with one write attempt and no read', async () => {
    const jobId = newJobId();
    const run = claimedOf(await store.claim(claimInput(jobId)));
    expect(await requestsOf(counter, () => store.claim(claimInput(jobId)))).toEqual({ writes: 1, reads: 0 });
    await store.succeed(succeedInput(jobId, run.fence));
    expect(await requestsOf(counter, () => store.claim(claimInput(jobId)))).toEqual({ writes: 1, reads: 0 });
  });

  it('takes over a crashed run, or starts an expired record over, with two writes and no read', async () => {
    const crashed = newJobId();
    claimedOf(await store.claim(claimInput(crashed)));
    const late = claimInput(crashed, { nowMs: T0 + LEASE_MS });
    expect(await requestsOf(counter, async () => claimedOf(await store.claim(late)))).toEqual({
      writes: 2,
      reads: 0,
    });

    const expired = newJobId();
    claimedOf(await store.claim(claimInput(expired, { expiresAtSec: T0 / 1000 + 1 })));
    const afterRetention = claimInput(expired, { nowMs: T0 + 5_000 });
    expect(await requestsOf(counter, async () => claimedOf(await store.claim(afterRetention)))).toEqual({
      writes: 2,
      reads: 0,
    });
  });

  it('records success, failure, release, lease extension and progress with one write each', async () => {
    const ids = Array.from({ length: 5 }, newJobId);
    const runs = await Promise.all(ids.map(async (jobId) => claimedOf(await store.claim(claimInput(jobId)))));
    const [a, b, c, d, e] = ids.map((jobId, i) => ({ jobId, fence: runs[i]!.fence }));
    const one = { writes: 1, reads: 0 };
    expect(
      await requestsOf(counter, () => store.succeed(succeedInput(a!.jobId, a!.fence, { result: 'ok' }))),
    ).toEqual(one);
    expect(await requestsOf(counter, () => store.fail(failInput(b!.jobId, b!.fence, 'retrying')))).toEqual(
      one,
    );
    expect(await requestsOf(counter, () => store.release({ ...c!, attempt: 1, nowMs: T0 + 1 }))).toEqual(one);
    expect(
      await requestsOf(counter, () =>
        store.extendLease({ ...d!, nowMs: T0 + 1, leaseExpiresAtMs: T0 + 99_000 }),
      ),
    ).toEqual(one);
    expect(await requestsOf(counter, () => store.progress(e!.jobId, { done: 1 }, T0 + 1))).toEqual(one);
  });

  it("rejects a stale run's outcome with one write and no read", async () => {
    const jobId = newJobId();
    claimedOf(await store.claim(claimInput(jobId)));
    claimedOf(await store.claim(claimInput(jobId, { nowMs: T0 + LEASE_MS })));
    const stale = requestsOf(counter, () => store.succeed(succeedInput(jobId, 1)).catch((e: unknown) => e));
    expect(await stale).toEqual({ writes: 1, reads: 0 });
  });
});
