import type { JobRegistry } from '../job/registry.js';
import { createFastForwardClock } from '../local/fast-forward-clock.js';
import { createLocalEngine, type LocalEngine } from '../local/local-engine.js';
import { type LocalEngineState, restoreLocalEngine, snapshotLocalEngine } from '../local/local-state.js';
import { jsonLinesLogger } from '../observe/logger.js';
import { createLocalOps } from '../ops/local-ops.js';
import type { ScheduleSource } from '../ops/schedule-source.js';
import type { RedriveMethod } from '../ops/types.js';
import { createMemoryJobStore } from '../store/memory-store.js';
import type { CliContext } from './context.js';
import { loadModule, registryOf } from './load-module.js';
import { readStateFile, removeStateFile, shown, stateFileFor, writeStateFile } from './local-state-file.js';
import type { Output } from './output.js';

type Cleanup = undefined | (() => Promise<void>);

/**
 * What `--local <module>` loads: the app's registry; optionally `start`, what every command needs before jobs run
 * (the app's services, a server its jobs call), and `seed`, which fills a new engine with work (the example app's
 * demo mix) once, when there is no saved state. Each returns a cleanup.
 */
export interface LocalAppModule {
  readonly registry: JobRegistry;
  start?(engine: LocalEngine): Promise<Cleanup>;
  seed?(engine: LocalEngine): Promise<Cleanup>;
  readonly schedules?: ScheduleSource;
}

/**
 * The embedded engine for one CLI command, continued from the state the previous `--local` command saved in
 * `.wharf/` (so the ids one command prints are there for the next), or seeded when there is none (or `fresh`).
 * The state is saved again when the command ends. One command at a time: two at once (a dashboard left running
 * and a command beside it) each save their own, and the last to end wins.
 */
export async function openLocal(
  path: string,
  output: Output,
  shared: { readonly redact?: readonly string[]; readonly redrive?: RedriveMethod },
  fresh: boolean,
): Promise<CliContext> {
  // The command's own output is stdout (`--json` must parse); what the app and its jobs print is not: their
  // console.log lines and ctx.logger's JSON lines go to stderr, where a user still sees them.
  const restoreConsole = appConsoleToStderr();
  const app = (await loadModule(path)) as Partial<LocalAppModule>;
  const registry = registryOf(app as Record<string, unknown>, path);
  const file = stateFileFor(path);
  if (fresh) removeStateFile(file);
  const saved = readStateFile(file);
  // The CLI owns its process: jobs and the app's seed call performLater, so the engine is the default client.
  const engine = createLocalEngine({
    registry,
    installAsDefault: true,
    logger: jsonLinesLogger({ write: (line) => process.stderr.write(`${line}\n`) }),
    ...(saved ? continuedFrom(saved) : {}),
  });
  const stopApp = typeof app.start === 'function' ? await app.start(engine) : undefined;
  let cleanup: Cleanup;
  if (saved) await restoreLocalEngine(engine, saved);
  else if (typeof app.seed === 'function') cleanup = await app.seed(engine);
  // Work that came due while no command ran (the clock goes on in real time between commands) runs now.
  await engine.runUntilIdle();
  if (!saved) {
    output.err(
      `wharf: local state saved in ${shown(file)}; the next --local command continues from it (--fresh starts over)`,
    );
  }
  const ops = createLocalOps({
    ...shared,
    engine,
    registry,
    ...(app.schedules ? { schedules: app.schedules } : {}),
  });
  return {
    ops,
    output,
    mode: 'local',
    afterAction: async () => void (await engine.runUntilIdle()),
    close: async () => {
      try {
        writeStateFile(file, await snapshotLocalEngine(engine));
      } finally {
        engine.close();
        await cleanup?.();
        await stopApp?.();
        restoreConsole();
      }
    },
  };
}

/** The saved records, and a clock that goes on from the saved time (or from now, if real time has passed it). */
function continuedFrom(saved: LocalEngineState) {
  return {
    store: createMemoryJobStore(saved.records),
    clock: createFastForwardClock(Math.max(saved.nowMs, Date.now())),
  };
}

/** console.log and console.info write to stderr until the returned function puts them back. */
function appConsoleToStderr(): () => void {
  const { log, info } = console;
  console.log = console.error;
  console.info = console.error;
  return () => {
    console.log = log;
    console.info = info;
  };
}
