import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/registry';
import { stateFileFor } from '../../src/cli/local-state-file';
import type { StatsReport } from '../../src/ops/stats-types';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * `wharf --local functions/demo/local-app.ts stats` as `npm run wharf` runs it: the tsx CLI in the repository, whose
 * tsconfig paths resolve `wharf-jobs` to src/ for the example app. The app is reached through a symlink of its own
 * in a temporary folder, so its saved state (named after the module path given) is this test's alone and never
 * a developer's .wharf/ state of the same app.
 */
const folder = mkdtempSync(join(tmpdir(), 'wharf-stats-'));
const app = join(folder, 'local-app.ts');
symlinkSync(resolve(ROOT, 'functions/demo/local-app.ts'), app);

function wharf(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      resolve(ROOT, 'node_modules/.bin/tsx'),
      ['src/cli/main.ts', '--local', app, ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The report, the whole of stdout: the first command seeds the demo, whose console lines and ctx.logger lines go to
 * stderr, so `--json` output parses as it is.
 */
function reportOf(stdout: string): StatsReport {
  return JSON.parse(stdout) as StatsReport;
}

describe('wharf stats on the example app (--local)', () => {
  afterAll(() => {
    rmSync(stateFileFor(app, ROOT), { force: true });
    rmSync(folder, { recursive: true, force: true });
  });

  it('prints a row per job type with count, p50, p95 and cost, and the next command continues the counts', async () => {
    const first = await wharf('stats', '--json');
    expect(first.code).toBe(0);
    const seeded = reportOf(first.stdout);
    // What the demo's jobs wrote through ctx.logger is not lost: it is on stderr, stamped with the job's keys.
    expect(first.stderr).toMatch(/"message":"welcome email sent".*"jobName":"send-welcome-email"/);
    expect(seeded.source).toBe('local');
    expect(seeded.rows.map((r) => r.job).sort()).toEqual(registry.jobs.map((j) => j.name).sort());
    for (const row of seeded.rows) {
      expect(row).toHaveProperty('count');
      expect(row).toHaveProperty('p50');
      expect(row).toHaveProperty('p95');
      expect(row).toHaveProperty('cost');
    }
    // The demo's morning: webhooks that retry, and one that dead-letters ("down").
    const webhooks = seeded.rows.find((r) => r.job === 'dispatch-webhook')!;
    expect(webhooks.outcomes.retried).toBeGreaterThan(0);
    expect(webhooks.outcomes.dead).toBeGreaterThan(0);
    expect(webhooks.p95).toBeGreaterThanOrEqual(webhooks.p50!);
    expect(webhooks.cost).toBeGreaterThan(0);
    expect(webhooks.costBreakdown!.basis).toMatch(/1024 MB/);
    expect(seeded.prices.compiledOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // A new process, continued from the saved state: the same counts, and no second seed.
    const next = await wharf('--json', 'stats', '--since', '1d');
    expect(next.code).toBe(0);
    const continued = JSON.parse(next.stdout) as StatsReport;
    const counts = (report: StatsReport) => Object.fromEntries(report.rows.map((r) => [r.job, r.count]));
    expect(counts(continued)).toEqual(counts(seeded));

    // A run in between is counted by the command after it.
    const enqueued = await wharf('enqueue', 'import-users', '--payload', '{"file":"users.csv"}');
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const after = JSON.parse((await wharf('--json', 'stats', '--since', '1d')).stdout) as StatsReport;
    const imports = after.rows.find((r) => r.job === 'import-users')!;
    expect(imports.count).toBeGreaterThan(counts(seeded)['import-users']!);
  });

  it('prints a table with the price date and source beneath it, and refuses a --since it cannot read', async () => {
    const run = await wharf('stats');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /JOB\s+QUEUE\s+COUNT\s+SUCCEEDED\s+RETRIED\s+DEAD\s+P50\s+P95\s+RETRY RATE\s+COST\/1K RUNS/,
    );
    expect(run.stdout).toMatch(/^dispatch-webhook\s+webhooks\s+\d+/m);
    expect(run.stdout).toMatch(
      /cost: USD at us-east-1 list prices of \d{4}-\d{2}-\d{2} \(wharf research note/,
    );
    const bad = await wharf('stats', '--since', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since: expected a duration like "30s"/);
  });
});
