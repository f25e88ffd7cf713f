import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';

/** Counts the AWS requests a client makes, by command name. */
export class RequestCounter {
  readonly counts = new Map<string, number>();
  add(command: string): void {
    this.counts.set(command, (this.counts.get(command) ?? 0) + 1);
  }
  get(command: string): number {
    return this.counts.get(command) ?? 0;
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.counts.clear();
  }
}

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;

/** Adds a counting middleware to any AWS SDK v3 client (the stacks differ only in their generic types). */
export function countRequests<T extends { middlewareStack: object }>(client: T, counter: RequestCounter): T {
  const stack = client.middlewareStack as unknown as { add(middleware: Middleware, options: object): void };
  stack.add(
    (next, context) => async (args) => {
      counter.add(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestRequestCounter' },
  );
  return client;
}

export function motoEndpoint(): string {
  return inject('motoEndpoint');
}

const common = () => ({
  endpoint: motoEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
});

export const sqsClient = () => new SQSClient(common());
export const dynamoClient = () => new DynamoDBClient(common());
export const schedulerClient = () => new SchedulerClient(common());
export const cloudWatchClient = () => new CloudWatchClient(common());

/** A name no other test uses, for queues and tables on the shared moto server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
