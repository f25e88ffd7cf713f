import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * The AWS region every client of a runtime is built with, or undefined when the SDK should read it from the
 * shared config file (a profile's `region`, as the AWS CLI does).
 *
 * Without a region the SDK fails each request on the client side ("Region is missing") with an error that
 * looks like a network error, so a send was retried as one. A missing region is a configuration error: say so
 * when the runtime is built, before any request.
 *
 * Read in this order: the option, then AWS_REGION and AWS_DEFAULT_REGION from `env`, then from the process
 * environment (which the SDK reads too). AWS_DEFAULT_REGION is what the AWS CLI reads; the SDK for JavaScript
 * does not, so it is passed to the clients explicitly.
 */
export function resolveRegion(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  hasSharedConfig: (env: NodeJS.ProcessEnv) => boolean = sharedConfigExists,
): string | undefined {
  const region = firstSet(
    option,
    env.AWS_REGION,
    env.AWS_DEFAULT_REGION,
    process.env.AWS_REGION,
    process.env.AWS_DEFAULT_REGION,
  );
  if (region !== undefined) return region;
  if (hasSharedConfig(env)) return undefined;
  throw new ConfigError(
    'No AWS region is configured: set AWS_REGION (for example AWS_REGION=us-east-1), or pass `region` to ' +
      'createAwsRuntime. Lambda sets AWS_REGION itself; AWS_DEFAULT_REGION and a profile region in the shared ' +
      'config file (~/.aws/config, or AWS_CONFIG_FILE) are read too.',
  );
}

function firstSet(...values: readonly (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value.trim() !== '')?.trim();
}

/** Whether the SDK has a shared config file to read a profile's region from. */
function sharedConfigExists(env: NodeJS.ProcessEnv): boolean {
  const file = env.AWS_CONFIG_FILE ?? process.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  return existsSync(file);
}
