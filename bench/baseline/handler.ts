import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** The body the baseline producer sends: the producer's own id (the idempotency key) and the payload. */
export interface BaselineBody {
  readonly id: string;
  readonly payload: { readonly i: number };
}

export interface BaselineHandlerOptions {
  /** Idempotency records go here; without it the handler is Powertools batch alone (wharf's `off` twin). */
  readonly persistence?: BasePersistenceLayer;
  /** Called as a record's work starts (past the idempotency check): the end-to-end test logs its start time. */
  readonly onRecordStart?: (body: BaselineBody) => void;
}

export type BaselineHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * What a careful user assembles instead of wharf: Powertools BatchProcessor with partial batch responses, each
 * record made idempotent by Powertools idempotency, in a middy handler. The key is the producer's id in the body,
 * not the SQS message id, which a redrive changes (the same rule wharf follows).
 */
export function createBaselineHandler(options: BaselineHandlerOptions = {}): BaselineHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).id' });
  const work = async (record: SQSRecord) => {
    const body = handleRecord(record);
    options.onRecordStart?.(body);
  };
  const perRecord = options.persistence
    ? makeIdempotent(work, { persistenceStore: options.persistence, config })
    : work;
  return middy(async (event: SQSEvent, context: Context) => {
    // Powertools derives each record's in-progress expiry from the invocation's remaining time.
    config.registerLambdaContext(context);
    return processPartialResponse(event, perRecord, processor, { context });
  });
}

/** The no-op job: parse the body and check the payload, as wharf's engine does before running a job. */
function handleRecord(record: SQSRecord): BaselineBody {
  const body = JSON.parse(record.body) as Partial<BaselineBody>;
  if (typeof body.id !== 'string' || typeof body.payload?.i !== 'number') {
    throw new Error(`malformed job body in message ${record.messageId}`);
  }
  return body as BaselineBody;
}
