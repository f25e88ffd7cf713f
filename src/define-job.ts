import type { StandardSchemaV1 } from '@standard-schema/spec';
import { getDefaultEnqueuer } from './client/default-enqueuer.js';
import { runInline } from './engine/run-inline.js';
import { createJobDefinition, type JobDefinition, type JobFrontDoors } from './job/define-job.js';
import type { JobOptions } from './job/types.js';

// Above job/, client/ and engine/: the one place a job definition meets the client and the engine. job/ stays the
// bottom layer (it defines what a job is), and nothing is registered as an import side effect.
const FRONT_DOORS: JobFrontDoors = {
  // Looked up on each call, not captured: the default client is set at start-up or by test mode, after
  // definitions are made at module load.
  enqueue: (request) => getDefaultEnqueuer().enqueue(request),
  runInline,
};

/** Defines a job once: its name, payload schema, options and `perform`. */
export function defineJob<S extends StandardSchemaV1, R>(input: JobOptions<S, R>): JobDefinition<S, R> {
  return createJobDefinition(input, FRONT_DOORS);
}
