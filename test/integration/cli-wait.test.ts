import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { motoWharf } from '../helpers/moto-cli';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { motoWorld, type OpsWorld } from '../helpers/ops-worlds';

// `wharf wait`, launched from source against moto server: the jobs run in this process by the Lambda handler on
// what it receives from moto's SQS, and the CLI reads their records from moto's DynamoDB.
describe('wharf wait against moto server', () => {
  let world: OpsWorld;
  const launch = motoWharf(() => ({ ...world.env }));
  const wharf = (...args: string[]) => launch(['--registry', 'test/fixtures/ops-registry.ts', ...args]);

  beforeAll(async () => {
    world = await motoWorld.create([shipOrder]);
  });
  afterAll(async () => {
    await world.teardown();
  });
  beforeEach(() => shipping.reset());

  it('exits 0 for a job that succeeded, and prints its answer as JSON with --json', async () => {
    shipping.broken = false;
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'w1' }));
    await world.drain();
    const waited = await wharf('--json', 'wait', jobId, '--timeout', '10s');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toEqual({ status: 'succeeded', jobId, attempt: 1 });
    const text = await wharf('wait', jobId);
    expect(text.stdout).toBe(`job "${jobId}" succeeded\n`);
  });

  it('exits 8 for a dead job, with the error', async () => {
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'w2' }));
    await world.drain();
    const waited = await wharf('wait', jobId, '--timeout', '10s');
    expect(waited.code, waited.stderr).toBe(8);
    expect(waited.stdout).toBe(
      `job "${jobId}" ended dead after attempt 1\nwhy: warehouse refused order w2\n`,
    );
  });

  it('exits 7 when the timeout passes with the job still on its queue, and 2 for a timeout it cannot read', async () => {
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'w3' }));
    const waited = await wharf('--json', 'wait', jobId, '--timeout', '1s');
    expect(waited.code, waited.stderr).toBe(7);
    expect(JSON.parse(waited.stdout)).toMatchObject({ status: 'timeout', jobId });
    expect(JSON.parse(waited.stdout).last).toBeUndefined();
    const bad = await wharf('wait', jobId, '--timeout', '30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout');
    await world.drain();
  });
});
