// The outbox relay function the WharfJobs construct deploys with `outbox: true` (src/cdk/outbox.ts bundles this
// file): built once per module from the variables the construct sets on it.
import { createOutboxRelayFromEnv } from '../runtime/outbox-relay-from-env.js';

export const handler = createOutboxRelayFromEnv();
