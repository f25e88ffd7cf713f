import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';

export async function loadModule(path: string): Promise<Record<string, unknown>> {
  const file = resolve(process.cwd(), path);
  if (TYPESCRIPT_FILE.test(file)) await registerTypeScriptLoader(file);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Could not load ${path}: ${errorMessage(error)}`, {
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

export function registryOf(module: Record<string, unknown>, path: string): JobRegistry {
  const candidate = (module.registry ?? module.default) as Partial<JobRegistry> | undefined;
  if (!candidate || !Array.isArray(candidate.jobs) || typeof candidate.get !== 'function') {
    throw new ConfigError(
      `${path} exports no job registry: export \`registry\` (createRegistry([...])) as the example app's functions/registry.ts does.`,
    );
  }
  return candidate as JobRegistry;
}
