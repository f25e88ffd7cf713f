import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localWharf } from '../helpers/local-cli';

// Each test runs the CLI in a directory of its own, where `.wharf/` is kept, as a user's project would.
describe('wharf --local keeps the engine between commands', () => {
  let cwd: string;
  const wharf = localWharf('test/fixtures/local-state-app.ts', () => cwd);
  const deadLetters = async (...flags: string[]) => {
    const run = await wharf(...flags, '--json', 'dlq', 'list');
    expect(run.code).toBe(0);
    return (JSON.parse(run.stdout) as { items: { messageId: string; jobId: string }[] }).items;
  };

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'wharf-local-'));
  });

  it('finds the dead letter the previous command listed, by message id and by job id', async () => {
    const first = await wharf('--json', 'dlq', 'list');
    expect(first.stderr).toMatch(
      /^start\nseed\nwharf: local state saved in \.wharf\/local-local-state-app-[0-9a-f]{8}\.json; the next --local command continues from it \(--fresh starts over\)\n$/,
    );
    const [listed] = (JSON.parse(first.stdout) as { items: { messageId: string; jobId: string }[] }).items;
    expect(listed).toBeDefined();
    expect(readdirSync(join(cwd, '.wharf'))).toHaveLength(1);

    const shown = await wharf('--json', 'dlq', 'show', listed!.messageId);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toBe('start\n'); // no second seed
    expect(JSON.parse(shown.stdout)).toMatchObject({ messageId: listed!.messageId, jobId: listed!.jobId });
    const job = await wharf('--json', 'jobs', 'show', listed!.jobId);
    expect(job.code).toBe(0);
    expect(JSON.parse(job.stdout)).toMatchObject({ record: { jobId: listed!.jobId, status: 'dead' } });
  });

  it('keeps what a command changed: a discarded dead letter stays gone', async () => {
    const [listed] = await deadLetters();
    const discard = await wharf('dlq', 'discard', listed!.messageId, '--yes');
    expect(discard.code).toBe(0);
    expect(await deadLetters()).toEqual([]);
  });

  it('keeps jobs enqueued by one command for the next, and --fresh seeds a new engine', async () => {
    const [seeded] = await deadLetters();
    const enqueued = await wharf('--json', 'enqueue', 'always-fails', '--payload', '{"order":2}');
    expect(enqueued.code).toBe(0);
    const both = await deadLetters();
    expect(both.map((d) => d.messageId)).toContain(seeded!.messageId);
    expect(both).toHaveLength(2);
    const fresh = await deadLetters('--fresh');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.messageId).not.toBe(seeded!.messageId);
  });

  it('passes --priority to the enqueue, which refuses a lane on a queue that declares none', async () => {
    const refused = await wharf('enqueue', 'always-fails', '--payload', '{"order":3}', '--priority', 'high');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/priority/);
    expect(refused.stderr).toMatch(/lanes/);
  });

  it('refuses a state file it cannot read, and says how to start over', async () => {
    await deadLetters();
    const [file] = readdirSync(join(cwd, '.wharf'));
    writeFileSync(join(cwd, '.wharf', file!), '{"v":1');
    const broken = await wharf('dlq', 'list');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /The local state in \.wharf\/local-local-state-app-\w+\.json is not JSON .*: delete it, or pass --fresh, to start over\./,
    );
    expect(existsSync(join(cwd, '.wharf', file!))).toBe(true);
    expect(await deadLetters('--fresh')).toHaveLength(1);
  });
});
