import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localWharf } from '../helpers/local-cli';

// `wharf pause`, `resume` and `pauses` on the embedded engine (--local), whose state, pauses included, is kept
// in .wharf/ from one command to the next. The AWS calls behind them are tested through ops on moto
// (ops-pause.test.ts).
describe('wharf pause and resume (--local)', () => {
  let cwd: string;
  const wharf = localWharf('test/fixtures/pause-app.ts', () => cwd);
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await wharf('--json', ...args);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'wharf-pause-'));
  });

  it('pauses a queue only when confirmed, keeps it paused between commands, and runs its job once resumed', async () => {
    const unconfirmed = await wharf('pause', 'queue', 'default');
    expect(unconfirmed.code).toBe(5);
    expect(unconfirmed.stderr).toMatch(/Pause queue "default"\?.*add --yes/);
    expect(await json('pauses')).toEqual([]);

    const paused = await json<{ changed: boolean; pause: { reason: string } }>(
      'pause',
      'queue',
      'default',
      '--reason',
      'database maintenance',
      '--yes',
    );
    expect(paused).toMatchObject({ changed: true, pause: { reason: 'database maintenance' } });
    const { jobId } = await json<{ jobId: string }>('enqueue', 'pause-note', '--payload', '{}');
    const queues = await json<{ queue: string; visible: number; paused?: { reason: string } }[]>('queues');
    expect(queues).toEqual([
      expect.objectContaining({
        queue: 'default',
        visible: 1,
        paused: expect.objectContaining({ reason: 'database maintenance' }),
      }),
    ]);
    const table = await wharf('queues');
    expect(table.stdout).toMatch(/default\s+paused since \d+s ago\s+1/);
    expect(await json('pauses')).toEqual([
      expect.objectContaining({ kind: 'queue', name: 'default', reason: 'database maintenance' }),
    ]);

    // The job type paused as well: once the queue is resumed, the job is claimed and put off, with a note.
    await json('pause', 'job', 'pause-note', '--yes');
    await json('resume', 'queue', 'default', '--yes');
    const shown = await wharf('jobs', 'show', jobId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/waiting:\s+put off: paused until \d{2}:\d{2}:\d{2}Z, \d+ times?/);
    const resumed = await json<{ changed: boolean }>('resume', 'job', 'pause-note', '--yes');
    expect(resumed.changed).toBe(true);
    expect(await json('jobs', 'show', jobId)).toMatchObject({ record: { status: 'succeeded', attempt: 1 } });
    expect(await json('pauses')).toEqual([]);
  });

  it('pauses and resumes a recurring schedule, and says so in the schedule list', async () => {
    await json('pause', 'schedule', 'nightly-note', '--yes');
    const listed = await json<{ items: { name: string; enabled: boolean; nextRunsMs: number[] }[] }>(
      'schedules',
    );
    expect(listed.items).toEqual([
      expect.objectContaining({ name: 'nightly-note', enabled: false, nextRunsMs: [] }),
    ]);
    expect((await wharf('schedules')).stdout).toMatch(/nightly-note.*paused since/);
    expect(await json('pauses')).toEqual([
      expect.objectContaining({ kind: 'schedule', name: 'nightly-note' }),
    ]);
    await json('resume', 'schedule', 'nightly-note', '--yes');
    const again = await json<{ items: { enabled: boolean; nextRunsMs: number[] }[] }>('schedules');
    expect(again.items[0]).toMatchObject({ enabled: true });
    expect(again.items[0]?.nextRunsMs).toHaveLength(3);
  });

  it('exits 4 for what does not exist and 2 for a kind it does not know', async () => {
    expect((await wharf('pause', 'queue', 'nope', '--yes')).code).toBe(4);
    expect((await wharf('pause', 'schedule', 'nope', '--yes')).code).toBe(4);
    expect((await wharf('resume', 'job', 'nope', '--yes')).code).toBe(4);
    expect((await wharf('pause', 'table', 'jobs', '--yes')).code).toBe(2);
  });
});
