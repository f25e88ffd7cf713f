import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type OutboxRelayOptions, relayOutbox } from './relay.js';
import { streamRecordsOf } from './stream-entry.js';

/** The relay's Lambda handler: a batch of the job table's stream in, a partial batch response out. */
export type OutboxRelayHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The outbox relay as a Lambda handler for the job table's DynamoDB stream, with ReportBatchItemFailures
 * (README "Enqueue after commit"). Built once per module; nothing about an invocation is kept outside the call.
 * The WharfJobs construct deploys it with `outbox: true`; `createOutboxRelayFromEnv` builds it from the
 * variables the construct sets.
 *
 * @example
 * export const handler = createOutboxRelay({ transport, scheduler, outbox: store });
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelayHandler {
  return async (event) => relayOutbox(options, streamRecordsOf(event));
}
