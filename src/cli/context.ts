import { createAwsOps } from '../ops/aws-ops.js';
import type { Ops, RedriveMethod } from '../ops/types.js';
import { loadModule, registryOf } from './load-module.js';
import { openLocal } from './local-context.js';
import { type Output, processOutput } from './output.js';

/** The options every command takes (commander's camel-cased names). */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly region?: string;
  readonly endpointUrl?: string;
  readonly table?: string;
  readonly registry?: string;
  readonly local?: string;
  /** With `local`: forget the saved state and seed the engine again. */
  readonly fresh?: boolean;
  readonly redact?: readonly string[];
  readonly method?: RedriveMethod;
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
  if (options.local) return openLocal(options.local, output, shared, options.fresh === true);
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
