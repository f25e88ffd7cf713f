import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { createLocalEngine, type LocalEngine } from '../local/local-engine.js';
import { createAwsOps } from '../ops/aws-ops.js';
import { createLocalOps } from '../ops/local-ops.js';
import type { ScheduleSource } from '../ops/schedule-source.js';
import type { Ops, RedriveMethod } from '../ops/types.js';
import { type Output, processOutput } from './output.js';

/** The options every command takes (commander's camel-cased names). */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly table?: string;
  readonly registry?: string;
  readonly local?: string;
  readonly redact?: readonly string[];
  readonly method?: RedriveMethod;
}

/**
 * What `--local <module>` loads: the app's registry, and optionally a `seed` that fills the embedded engine
 * with work (the example app's demo mix) and returns a cleanup.
 */
export interface LocalAppModule {
  readonly registry: JobRegistry;
  seed?(engine: LocalEngine): Promise<undefined | (() => Promise<void>)>;
  readonly schedules?: ScheduleSource;
}

export interface CliContext {
  readonly ops: Ops;
  readonly output: Output;
  readonly mode: 'aws' | 'local';
  /** Local mode runs the embedded engine after an action, so its outcome is visible at once. */
  afterAction(): Promise<void>;
  close(): Promise<void>;
}

export async function openContext(options: GlobalOptions): Promise<CliContext> {
  const output = processOutput(options.json === true);
  const shared = {
    ...(options.redact ? { redact: options.redact } : {}),
    ...(options.method ? { redrive: options.method } : {}),
  };
  if (options.local) return openLocal(options.local, output, shared);
  const registry = options.registry
    ? registryOf(await loadModule(options.registry), options.registry)
    : undefined;
  const ops = createAwsOps({
    ...shared,
    ...(registry ? { registry } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.table ? { tableName: options.table } : {}),
  });
  return { ops, output, mode: 'aws', afterAction: async () => undefined, close: async () => ops.close() };
}

async function openLocal(
  path: string,
  output: Output,
  shared: { readonly redact?: readonly string[]; readonly redrive?: RedriveMethod },
): Promise<CliContext> {
  const app = await loadModule(path);
  const registry = registryOf(app, path);
  // The embedded engine fast-forwards by default: the seed's waits (backoffs, delays) settle at once.
  const engine = createLocalEngine({ registry });
  const seed = typeof app.seed === 'function' ? (app as unknown as LocalAppModule).seed : undefined;
  const cleanup = seed ? await seed(engine) : undefined;
  await engine.runUntilIdle();
  const schedules = (app as Partial<LocalAppModule>).schedules;
  const ops = createLocalOps({ ...shared, engine, registry, ...(schedules ? { schedules } : {}) });
  return {
    ops,
    output,
    mode: 'local',
    afterAction: async () => void (await engine.runUntilIdle()),
    close: async () => {
      engine.close();
      await cleanup?.();
    },
  };
}

async function loadModule(path: string): Promise<Record<string, unknown>> {
  const file = resolve(process.cwd(), path);
  if (TYPESCRIPT_FILE.test(file)) await registerTypeScriptLoader(file);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Could not load ${path}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;
let typeScriptLoaderRegistered = false;

/**
 * A registry written in TypeScript is loaded through the project's own tsx when it has one (resolved from the
 * registry's folder, so the CLI itself needs no tsx). Without tsx, Node's own type stripping is what remains: it
 * needs erasable syntax and explicit file extensions in the registry's imports.
 */
async function registerTypeScriptLoader(file: string): Promise<void> {
  if (typeScriptLoaderRegistered) return;
  let api: string;
  try {
    api = createRequire(file).resolve('tsx/esm/api');
  } catch {
    return;
  }
  const tsx = (await import(pathToFileURL(api).href)) as { register?: () => unknown };
  tsx.register?.();
  typeScriptLoaderRegistered = true;
}

function registryOf(module: Record<string, unknown>, path: string): JobRegistry {
  const candidate = (module.registry ?? module.default) as Partial<JobRegistry> | undefined;
  if (!candidate || !Array.isArray(candidate.jobs) || typeof candidate.get !== 'function') {
    throw new ConfigError(
      `${path} exports no job registry: export \`registry\` (createRegistry([...])) as the example app's functions/registry.ts does.`,
    );
  }
  return candidate as JobRegistry;
}
