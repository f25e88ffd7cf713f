import { ConfigError } from '../errors.js';
import type { Enqueuer } from './types.js';

// Process-wide configuration (which client `performLater` uses), set once at start-up or by test helpers.
// It never holds invocation data.
let current: Enqueuer | undefined;

/** Sets the client that `job.performLater` and `performAllLater` use. Returns the previous one. */
export function setDefaultEnqueuer(enqueuer: Enqueuer | undefined): Enqueuer | undefined {
  const previous = current;
  current = enqueuer;
  return previous;
}

export function getDefaultEnqueuer(): Enqueuer {
  if (!current) {
    throw new ConfigError(
      'No wharf client is configured for performLater. In a producer, call ' +
        'setDefaultEnqueuer(createAwsRuntime({ registry }).client) once at start-up (createAwsRuntime is in ' +
        '"wharf-jobs/aws"); the Lambda and worker entries install one themselves. Locally, use ' +
        'createLocalEngine({ registry, installAsDefault: true }) from "wharf-jobs/local"; in tests, enableTestMode() from "wharf-jobs/testing".',
    );
  }
  return current;
}
