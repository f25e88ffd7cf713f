import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigError } from '../errors.js';
import type { Enqueuer } from './types.js';

// Process-wide configuration (which client `performLater` uses), set once at start-up or by test helpers.
// It never holds invocation data.
let current: Enqueuer | undefined;

// The client of the engine a job is running on, for the length of that run: a job that enqueues another goes
// through its own engine, whatever the process-wide default is (two embedded engines in one process each keep
// their jobs). Holds a client, never invocation data.
const running = new AsyncLocalStorage<Enqueuer>();

/** Runs `work` with `enqueuer` as the client that `performLater` uses inside it (and in what it awaits). */
export function withEnqueuer<T>(enqueuer: Enqueuer, work: () => Promise<T>): Promise<T> {
  return running.run(enqueuer, work);
}

/** Sets the client that `job.performLater` and `performAllLater` use. Returns the previous one. */
export function setDefaultEnqueuer(enqueuer: Enqueuer | undefined): Enqueuer | undefined {
  const previous = current;
  current = enqueuer;
  return previous;
}

export function getDefaultEnqueuer(): Enqueuer {
  const scoped = running.getStore();
  if (scoped) return scoped;
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
