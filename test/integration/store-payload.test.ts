import { beforeAll, describe, expect, it } from 'vitest';
import { type JobStore, PAYLOAD_MAX_BYTES } from '../../src/store/types';
import {
  claimedOf,
  claimInput,
  dynamoAdapter,
  failInput,
  memoryAdapter,
  newJobId,
  succeedInput,
  T0,
} from '../helpers/job-store';

// The CLI and the dashboard show a job's payload from its record: both stores keep it when it is small.
describe.each([memoryAdapter, dynamoAdapter])('JobStore payload ($name)', (adapter) => {
  let store: JobStore;
  beforeAll(async () => {
    ({ store } = await adapter.create());
  });

  it('keeps the payload a claim carries', async () => {
    const jobId = newJobId();
    await store.claim(claimInput(jobId, { payload: { userId: 'u1', tags: ['a'] } }));
    expect((await store.get(jobId, T0))?.payload).toEqual({ userId: 'u1', tags: ['a'] });
  });

  it('keeps the payload an outcome carries, in tracked mode without a claim', async () => {
    const succeeded = newJobId();
    const dead = newJobId();
    await store.succeed(succeedInput(succeeded, undefined, { payload: { n: 1 } }));
    await store.fail(failInput(dead, undefined, 'dead', { payload: { n: 2 } }));
    expect((await store.get(succeeded, T0 + 2_000))?.payload).toEqual({ n: 1 });
    expect((await store.get(dead, T0 + 2_000))?.payload).toEqual({ n: 2 });
  });

  it('leaves out a payload larger than PAYLOAD_MAX_BYTES, and the outcome is still recorded', async () => {
    const jobId = newJobId();
    const { fence } = claimedOf(await store.claim(claimInput(jobId)));
    const large = { blob: 'x'.repeat(PAYLOAD_MAX_BYTES) };
    await store.succeed(succeedInput(jobId, fence, { payload: large }));
    const record = await store.get(jobId, T0 + 2_000);
    expect(record?.status).toBe('succeeded');
    expect(record).not.toHaveProperty('payload');
  });
});
