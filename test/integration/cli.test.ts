import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineRecurring, toRecurringSchedule } from '../../src/schedule/define-recurring';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { motoEndpoint, schedulerClient, uniqueName } from '../helpers/aws';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { motoWorld, type OpsWorld } from '../helpers/ops-worlds';

const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The launched command, from its sources (the consumer test runs the built one), against moto server; the jobs
// run in this process.
describe('the wharf CLI against moto server', () => {
  let world: OpsWorld;
  const wharf = (...args: string[]): Promise<Run> => wharfWith({}, ...args);
  const wharfWith = (env: Record<string, string>, ...args: string[]): Promise<Run> =>
    launch(['--registry', 'test/fixtures/ops-registry.ts', ...args], env);
  const launch = (args: readonly string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((done) => {
      const flags = ['--endpoint-url', motoEndpoint(), '--region', 'us-east-1'];
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', ...flags, ...args],
        { cwd: ROOT, env: { ...process.env, ...world.env, ...env }, timeout: 30_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = <T>(run: Run): T => JSON.parse(run.stdout) as T;

  beforeAll(async () => {
    world = await motoWorld.create([shipOrder]);
  });
  afterAll(() => world.teardown());
  beforeEach(async () => {
    shipping.reset();
    await world.ops().discard({ all: true });
  });

  async function deadOrder(orderId: string): Promise<string> {
    const { jobId } = await world.client.enqueue(
      shipOrder.with({ orderId, card: { number: '4242424242424242' } }),
    );
    await world.drain();
    return jobId;
  }

  it('lists queues and dead letters as tables for people and JSON for scripts', async () => {
    const jobId = await deadOrder('o1');
    const queues = json<{ queue: string; deadLetters: number }[]>(await wharf('--json', 'queues'));
    expect(queues).toEqual([expect.objectContaining({ queue: world.queue, deadLetters: 1 })]);
    const table = await wharf('dlq', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^MESSAGE ID\s+QUEUE\s+JOB\s+JOB ID\s+REASON/);
    expect(table.stdout).toContain(jobId);
    expect(table.stdout).toContain('retries-exhausted');
    const listed = json<{ items: { jobId: string }[] }>(await wharf('--json', 'dlq', 'list'));
    expect(listed.items.map((d) => d.jobId)).toEqual([jobId]);
  });

  it("finds the queues from the environment alone, without the app's registry", async () => {
    const jobId = await deadOrder('o8');
    const listed = await launch(['--json', 'dlq', 'list']);
    expect(listed.code).toBe(0);
    expect(json<{ items: { jobId: string; queue: string }[] }>(listed).items).toEqual([
      expect.objectContaining({ jobId, queue: world.queue }),
    ]);
    const enqueue = await launch(['enqueue', 'ship-order', '--payload', '{}']);
    expect(enqueue.code).toBe(2);
    expect(enqueue.stderr).toMatch(/enqueue needs the job registry/);
  });

  it('shows a dead letter with its story, the card number redacted, and strips terminal escapes from job content', async () => {
    const hostile = 'o2\u001b]0;pwned\u0007\u001b[2J\u009b31m';
    const jobId = await deadOrder(hostile);
    const shown = await wharf('dlq', 'show', jobId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/reason:\s+retries-exhausted/);
    expect(shown.stdout).toContain('[redacted]');
    expect(shown.stdout).not.toContain('4242424242424242');
    const outputs = [
      shown.stdout,
      (await wharf('dlq', 'list')).stdout,
      (await wharf('--json', 'dlq', 'list')).stdout,
    ];
    expect(shown.stdout).toContain('o2\ufffd]0;pwned\ufffd\ufffd[2J'); // shown, with its controls made visible
    for (const output of outputs) {
      for (const control of ['\u001b', '\u0007', '\u009b']) expect(output).not.toContain(control);
    }
  });

  it('retries one dead letter: the job runs again under its id and succeeds', async () => {
    const jobId = await deadOrder('o3');
    shipping.broken = false;
    const retried = await wharf('--json', 'dlq', 'retry', jobId);
    expect(retried.code).toBe(0);
    expect(json<{ succeeded: { jobId: string }[] }>(retried).succeeded).toEqual([
      expect.objectContaining({ jobId }),
    ]);
    await world.drain();
    expect(shipping.effectsOf(jobId)).toBe(1);
    const job = await wharf('jobs', 'show', jobId);
    expect(job.stdout).toMatch(/status:\s+succeeded/);
  });

  it('asks for --yes before a bulk action it cannot confirm, and does nothing without it', async () => {
    await deadOrder('o4');
    const refused = await wharf('dlq', 'retry', '--all');
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await world.ops().deadLetters()).items).toHaveLength(1);
    const discarded = await wharf('dlq', 'discard', '--all', '--yes');
    expect(discarded.code).toBe(0);
    expect(discarded.stdout).toMatch(/discarded 1 dead letter/);
    expect((await world.ops().deadLetters()).items).toHaveLength(0);
  });

  it('exits 3 when only part of a selection was done, and 4 when nothing matched', async () => {
    const jobId = await deadOrder('o5');
    shipping.broken = false;
    const partial = await wharf('dlq', 'retry', jobId, 'no-such-dead-letter', '--yes');
    expect(partial.code).toBe(3);
    expect(partial.stdout).toMatch(/not found: no-such-dead-letter/);
    expect((await wharf('dlq', 'retry', 'no-such-dead-letter')).code).toBe(4);
    expect((await wharf('dlq', 'show', 'no-such-dead-letter')).code).toBe(4);
    expect((await wharf('jobs', 'show', 'no-such-job')).code).toBe(4);
  });

  it('lists jobs by status', async () => {
    const jobId = await deadOrder('o6');
    const dead = json<{ records: { jobId: string; status: string }[] }>(
      await wharf('--json', 'jobs', 'list', '--status', 'dead'),
    );
    expect(dead.records.map((r) => r.jobId)).toContain(jobId);
    expect(dead.records.every((r) => r.status === 'dead')).toBe(true);
  });

  it("enqueues a job whose payload passes its schema, and exits 2 with the schema's complaint otherwise", async () => {
    const ok = await wharf('--json', 'enqueue', 'ship-order', '--payload', '{"orderId":"o7"}');
    expect(ok.code).toBe(0);
    const { jobId } = json<{ jobId: string }>(ok);
    shipping.broken = false;
    await world.drain();
    expect(shipping.effectsOf(jobId)).toBe(1);
    const invalid = await wharf('enqueue', 'ship-order', '--payload', '{"orderId":7}');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/Invalid payload for job "ship-order"[\s\S]*orderId/);
    expect((await wharf('enqueue', 'ship-order', '--payload', '{not json')).code).toBe(2);
  });

  it('says when there are no schedules, and exits 2 on a bad command line', async () => {
    const schedules = await wharf('schedules');
    expect(schedules.code).toBe(0);
    expect(schedules.stdout).toMatch(/no schedules/);
    expect((await wharf('dlq', 'list', '--no-such-flag')).code).toBe(2);
    expect((await wharf('dlq', 'retry')).code).toBe(2);
  });

  it('lists recurring schedules with their next runs from the group the environment names', async () => {
    const groupName = uniqueName('wharf-cli');
    const client = schedulerClient();
    await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
    const roleArn = 'arn:aws:iam::123456789012:role/wharf-scheduler';
    const queues = {
      [world.queue]: {
        arn: world.env!.WHARF_QUEUE_ARN_DEFAULT!,
        deadLetterArn: world.env!.WHARF_DLQ_ARN_DEFAULT!,
      },
    };
    const task = defineRecurring({
      task: 'nightly-shipping',
      job: shipOrder,
      payload: { orderId: 'n' },
      schedule: 'every day at 2am',
    });
    await createEventBridgeScheduler({ client, groupName, roleArn, queues }).upsertRecurring(
      toRecurringSchedule(task),
    );
    client.destroy();
    const env = { WHARF_SCHEDULE_GROUP: groupName, WHARF_SCHEDULER_ROLE_ARN: roleArn };
    const listed = await wharfWith(env, 'schedules');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+KIND\s+JOB\s+EXPRESSION/);
    expect(listed.stdout).toMatch(
      /nightly-shipping\s+recurring\s+ship-order\s+cron\(0 2 \* \* \? \*\)\s+UTC\s+in \d+[hd], in \d+[hd], in \d+[hd]\s+enabled/,
    );
  });
});
