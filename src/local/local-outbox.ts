import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { OutboxTransactItem } from '../client/types.js';
import type { Clock } from '../clock.js';
import { ConflictError, EnqueueFailedError } from '../errors.js';
import { type OutboxRelayEvent, relayOutbox } from '../outbox/relay.js';
import type { JobScheduler } from '../schedule/types.js';
import { OUTBOX_ATTRIBUTES, OUTBOX_KEY_PREFIX } from '../store/dynamodb/outbox-item.js';
import type { Transport } from '../transport/types.js';

/** The table name the embedded engine's `transactItems` entries carry: it has no table, only its outbox. */
export const LOCAL_OUTBOX_TABLE = 'wharf-embedded-jobs';

/** What `commitOutbox` did: the stream records it played through the relay, once. */
export interface OutboxCommit {
  /** The job ids the relay sent, in the order of the entries. */
  readonly sent: readonly string[];
  /**
   * Plays the same stream records through the relay again, as a stream that redelivers a batch does: each entry
   * was cleared when it was sent, so a replay sends nothing.
   */
  replay(): Promise<OutboxCommit>;
}

export interface LocalOutboxPorts {
  readonly transport: Transport;
  readonly scheduler?: JobScheduler;
  readonly clock: Clock;
}

/**
 * The embedded engine's outbox (README "Enqueue after commit"): what the job table, its stream and the relay
 * function do on AWS, in memory. `commit` is the caller's transaction committing: the outbox entries among its
 * items are put (refused, all of them, when one's job id already waits, as DynamoDB's condition refuses it), then
 * their INSERT records go through the same relay code as on AWS, which checks, sends and clears each one.
 */
export function createLocalOutbox(ports: LocalOutboxPorts): {
  commit(items: readonly unknown[]): Promise<OutboxCommit>;
} {
  const pending = new Set<string>();
  let sequence = 0;
  const outbox = {
    outboxPending: async (jobId: string) => pending.has(jobId),
    clearOutbox: async (jobId: string) => void pending.delete(jobId),
  };
  const play = async (records: readonly DynamoDBRecord[]): Promise<OutboxCommit> => {
    const events: OutboxRelayEvent[] = [];
    const { batchItemFailures } = await relayOutbox(
      { ...ports, outbox, onEvent: (event) => events.push(event) },
      records,
    );
    if (batchItemFailures.length > 0) {
      const reasons = events.flatMap((e) => (e.type === 'outbox-failed' ? [`${e.jobId}: ${e.message}`] : []));
      throw new EnqueueFailedError(
        `The outbox relay could not send ${batchItemFailures.length} of ${records.length} entries (they stay in the outbox): ${reasons.join('; ')}`,
      );
    }
    return {
      sent: events.flatMap((e) => (e.type === 'outbox-sent' ? [e.jobId] : [])),
      replay: () => play(records),
    };
  };
  return {
    async commit(items) {
      const entries = items.flatMap((item) => {
        const image = outboxImageOf(item);
        return image ? [image] : [];
      });
      const ids = entries.map(jobIdOf);
      const twice = ids.filter((id, index) => ids.indexOf(id) !== index);
      if (twice.length > 0) {
        throw new ConflictError(
          `The transaction is refused: it puts the outbox entry of job id ${twice.map((id) => `"${id}"`).join(', ')} twice (DynamoDB refuses two writes of one item in a transaction).`,
        );
      }
      const held = ids.filter((id) => pending.has(id));
      if (held.length > 0) {
        throw new ConflictError(
          `The transaction is cancelled: an outbox entry already waits for job id ${held.map((id) => `"${id}"`).join(', ')} (its put is conditional on there being none, as on DynamoDB).`,
        );
      }
      const records = entries.map((image): DynamoDBRecord => {
        pending.add(jobIdOf(image));
        sequence += 1;
        return {
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          dynamodb: {
            Keys: { [OUTBOX_ATTRIBUTES.key]: image[OUTBOX_ATTRIBUTES.key]! },
            NewImage: image,
            SequenceNumber: String(sequence).padStart(21, '0'),
            StreamViewType: 'NEW_IMAGE',
          },
        };
      });
      return play(records);
    },
  };
}

/**
 * An outbox entry of `transactItems` (either format) as the stream's NewImage shows it; anything else (the
 * caller's own writes, which the embedded engine holds no table for) is not the outbox's.
 */
function outboxImageOf(item: unknown): Record<string, AttributeValue> | undefined {
  const put = (item as Partial<OutboxTransactItem> | null | undefined)?.Put;
  if (put?.TableName !== LOCAL_OUTBOX_TABLE || typeof put.Item !== 'object' || put.Item === null)
    return undefined;
  const image: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(put.Item)) {
    if (typeof value === 'string') image[name] = { S: value };
    else if (typeof value === 'number') image[name] = { N: String(value) };
    else if (typeof value === 'object' && value !== null && 'S' in value) image[name] = { S: value.S };
    else if (typeof value === 'object' && value !== null && 'N' in value) image[name] = { N: value.N };
  }
  return image[OUTBOX_ATTRIBUTES.key]?.S?.startsWith(OUTBOX_KEY_PREFIX) ? image : undefined;
}

/** The key is the entry's identity, whatever its attributes say (the relay checks that they agree). */
function jobIdOf(image: Record<string, AttributeValue>): string {
  return image[OUTBOX_ATTRIBUTES.key]!.S!.slice(OUTBOX_KEY_PREFIX.length);
}
