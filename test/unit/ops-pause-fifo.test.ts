import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine } from '../../src/local/index';
import { createLocalOps } from '../../src/ops/index';

describe('pausing a job type that runs on a FIFO queue', () => {
  it('is refused with the reason, and its queue can be paused instead', async () => {
    const shipStep = defineJob({
      name: 'ship-step',
      queue: 'orders',
      schema: z.object({ orderId: z.string() }),
      group: (p) => p.orderId,
      perform: () => undefined,
    });
    const registry = createRegistry([shipStep]);
    const engine = createLocalEngine({ registry });
    const ops = createLocalOps({ engine, registry });
    await expect(ops.pause({ kind: 'job', name: 'ship-step' })).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      problems: [expect.stringMatching(/FIFO queue "orders".*pause queue "orders" instead/)],
    });
    expect(await ops.listPauses()).toEqual([]);
    await ops.pause({ kind: 'queue', name: 'orders' });
    expect(await ops.listPauses()).toEqual([expect.objectContaining({ kind: 'queue', name: 'orders' })]);
    // Resuming is never refused: a pause written before this rule can always be lifted.
    await expect(ops.resume({ kind: 'job', name: 'ship-step' })).resolves.toMatchObject({ changed: false });
    engine.close();
  });
});
