import { errorMessage, TransportError } from '../errors.js';
import type { EventSourceMappingConfiguration, LambdaApi, LambdaClient } from '../runtime/lambda-api.js';

/** One Lambda event source mapping of a queue, as a pause or resume left it. */
export interface QueueConsumerView {
  readonly uuid: string;
  readonly functionArn: string;
  /** Lambda's state after the change: `Disabling` then `Disabled`, `Enabling` then `Enabled`. */
  readonly state: string;
  /** False when it was already in the state asked for (or on its way there): no request was made. */
  readonly changed: boolean;
}

/** Switches a queue's Lambda consumers off and on: the event source mappings of the queue (by logical name). */
export interface QueueConsumers {
  setEnabled(queue: string, enabled: boolean): Promise<readonly QueueConsumerView[]>;
}

export interface LambdaQueueConsumersOptions {
  readonly client: () => Promise<LambdaClient>;
  readonly api: () => Promise<LambdaApi>;
  /** The ARNs of the SQS queues behind a logical queue (empty when its URL names no ARN). */
  readonly arnsOf: (queue: string) => readonly string[];
}

/**
 * The queue's event source mappings by EventSourceArn (every function that consumes it, the construct's worker
 * and any other), each switched with UpdateEventSourceMapping `Enabled`. Lambda stops polling a disabled mapping
 * and resumes where it was when it is enabled again: messages wait in the queue (their retention still runs).
 * Every mapping is tried; a failure of one is reported with the others' outcome, so the operator can run the
 * same command again.
 */
export function lambdaQueueConsumers(options: LambdaQueueConsumersOptions): QueueConsumers {
  return {
    async setEnabled(queue, enabled) {
      const arns = options.arnsOf(queue);
      if (arns.length === 0) return [];
      const [client, api] = await Promise.all([options.client(), options.api()]);
      const mappings = [];
      for (const arn of arns) mappings.push(...(await listMappings(client, api, arn)));
      const done: QueueConsumerView[] = [];
      const failed: string[] = [];
      for (const mapping of mappings) {
        const uuid = mapping.UUID ?? '';
        const functionArn = mapping.FunctionArn ?? '';
        if (isHeadingTo(mapping.State, enabled)) {
          done.push({ uuid, functionArn, state: mapping.State ?? '', changed: false });
          continue;
        }
        try {
          const out = await client.send(
            new api.UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }),
          );
          done.push({ uuid, functionArn, state: out.State ?? '', changed: true });
        } catch (error) {
          failed.push(`${uuid} (${functionArn}): ${errorName(error)}: ${errorMessage(error)}`);
        }
      }
      if (failed.length > 0) {
        const verb = enabled ? 'enable' : 'disable';
        const ok = done.map((d) => d.uuid).join(', ') || 'none';
        throw new TransportError(
          `Could not ${verb} ${failed.length} event source mapping(s) of queue ${queue}: ${failed.join('; ')}. Done: ${ok}. Run it again to finish.`,
        );
      }
      return done;
    },
  };
}

export async function listMappings(
  client: LambdaClient,
  api: LambdaApi,
  queueArn: string,
): Promise<EventSourceMappingConfiguration[]> {
  const all: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new api.ListEventSourceMappingsCommand({
        EventSourceArn: queueArn,
        MaxItems: 100,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    all.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker;
  } while (marker);
  return all;
}

function isHeadingTo(state: string | undefined, enabled: boolean): boolean {
  return enabled
    ? state === 'Enabled' || state === 'Enabling'
    : state === 'Disabled' || state === 'Disabling';
}

function errorName(error: unknown): string {
  return String((error as { name?: unknown })?.name ?? 'Error');
}
