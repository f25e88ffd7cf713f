import { ConfigError } from '../errors.js';

/**
 * Imports an optional peer (an operator tool's AWS SDK client) by a name held in a variable, so that bundlers of
 * worker and producer code never pull it in. Missing, it is a ConfigError saying what needs it and how to add it.
 */
export async function importOptionalPeer<T>(name: string, neededFor: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new ConfigError(
      `${neededFor} with ${name}, which is not installed: npm install --save-dev ${name}`,
      {
        cause: error,
      },
    );
  }
}
