import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine } from '../../src/local/index';
import { createLocalOps, flowText } from '../../src/ops/index';

const schema = z.object({ accountId: z.string() });
const perform = () => undefined;

describe('flowText', () => {
  it('says a job has no flow control by saying nothing', () => {
    expect(flowText(defineJob({ name: 'plain', schema, perform }).options.flow)).toBeUndefined();
  });

  it('names each limit in the words an operator reads a deferral with', () => {
    const job = defineJob({
      name: 'sync-account',
      schema,
      perform,
      concurrency: { limit: 2, key: (p) => p.accountId },
      throttle: { limit: 10, period: '1m', key: (p) => p.accountId, burst: 5 },
      tenant: (p) => p.accountId,
      priority: 'low',
    });
    expect(flowText(job.options.flow)).toBe(
      'concurrency 2 per key; throttle 10 per 1m per key, burst 5; tenant; lane low',
    );
    expect(flowText(defineJob({ name: 'g', schema, perform, group: (p) => p.accountId }).options.flow)).toBe(
      'FIFO group',
    );
  });

  it("is what ops lists beside each queue's jobs", async () => {
    const limited = defineJob({ name: 'one-at-a-time', schema, perform, concurrency: { limit: 1 } });
    const plain = defineJob({ name: 'plain', schema, perform });
    const registry = createRegistry([limited, plain]);
    const engine = createLocalEngine({ registry });
    const [queue] = await createLocalOps({ engine, registry }).queues();
    expect(queue).toMatchObject({
      jobs: ['one-at-a-time', 'plain'],
      limits: { 'one-at-a-time': 'concurrency 1' },
    });
    engine.close();
  });
});

describe('ops.enqueue with a priority', () => {
  it('sends to the lane named, and refuses one its queue does not declare, listing the lanes', async () => {
    const digest = defineJob({ name: 'digest', schema, perform });
    const registry = createRegistry([digest]);
    const engine = createLocalEngine({ registry, queues: { default: { lanes: { high: 6, default: 3 } } } });
    const ops = createLocalOps({ engine, registry });
    const sent = await ops.enqueue({ job: 'digest', payload: { accountId: 'a' }, priority: 'high' });
    expect(sent).toMatchObject({ queue: 'default', lane: 'high' });
    await expect(
      ops.enqueue({ job: 'digest', payload: { accountId: 'a' }, priority: 'urgent' }),
    ).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringMatching(/urgent.*high/s),
    });
    engine.close();
  });
});
