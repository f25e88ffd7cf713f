import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BenchConfig } from '../config';
import type { EmbeddedModeResult } from '../embedded-throughput';

/** Figure 5: the embedded engine's no-op jobs per second, in a Node process pinned to one core when possible. */
export interface EmbeddedFigure {
  readonly jobsPerRun: number;
  readonly runs: number;
  /** How the process was held to one core (`taskset -c 0`), or why it was not. */
  readonly oneCore: string;
  readonly modes: readonly EmbeddedModeResult[];
}

const SCRIPT = resolve(import.meta.dirname, '../embedded-throughput.ts');

/** A separate process: nothing of the emulator runs left in this one competes, and the pin is real. */
export function embeddedFigure(config: BenchConfig): EmbeddedFigure {
  const node = [process.execPath, '--import', 'tsx', SCRIPT, '--json'];
  const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((path) => existsSync(path));
  const [command, ...args] = taskset ? [taskset, '-c', '0', ...node] : node;
  const out = spawnSync(command!, args, {
    cwd: resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      WHARF_BENCH_JOBS: String(config.embedded.jobs),
      WHARF_BENCH_RUNS: String(config.embedded.runs),
    },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`embedded engine bench failed: ${out.stderr}`);
  const result = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as {
    modes: EmbeddedModeResult[];
  };
  return {
    jobsPerRun: config.embedded.jobs,
    runs: config.embedded.runs,
    oneCore: taskset
      ? 'taskset -c 0 (one CPU for the whole process, GC threads included)'
      : 'not pinned: no taskset',
    modes: result.modes,
  };
}
