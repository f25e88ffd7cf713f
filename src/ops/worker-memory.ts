import type { LambdaApi, LambdaClient } from '../runtime/lambda-api.js';
import type { MemoryOf } from './cloudwatch-stats.js';
import { DEFAULT_WORKER_MEMORY_MB } from './job-cost.js';
import { listMappings } from './queue-consumers.js';

export interface WorkerMemoryOptions {
  readonly client: () => Promise<LambdaClient>;
  readonly api: () => Promise<LambdaApi>;
  /** The ARNs of the SQS queues behind a logical queue (its lanes'). */
  readonly arnsOf: (queue: string) => readonly string[];
}

/**
 * The memory size a queue's runs are billed at: the MemorySize of the function its event source mapping feeds
 * (the construct's worker), read with ListEventSourceMappings and GetFunctionConfiguration. Without a mapping, or
 * when Lambda cannot be read (no @aws-sdk/client-lambda, no permission), the construct's default, said so: a cost
 * estimate is not worth failing `wharf stats` for.
 */
export function workerMemory(options: WorkerMemoryOptions): MemoryOf {
  return async (queue) => {
    try {
      const arns = options.arnsOf(queue);
      if (arns.length === 0) return fallback('no queue ARN to find its worker by');
      const [client, api] = await Promise.all([options.client(), options.api()]);
      for (const arn of arns) {
        for (const mapping of await listMappings(client, api, arn)) {
          if (!mapping.FunctionArn) continue;
          const config = await client.send(
            new api.GetFunctionConfigurationCommand({ FunctionName: mapping.FunctionArn }),
          );
          if (typeof config.MemorySize === 'number')
            return { memoryMb: config.MemorySize, source: `the MemorySize of ${mapping.FunctionArn}` };
        }
      }
      return fallback('no event source mapping feeds a function from its queue');
    } catch (error) {
      return fallback(`Lambda could not be read: ${String((error as Error)?.message ?? error)}`);
    }
  };
}

function fallback(why: string) {
  return {
    memoryMb: DEFAULT_WORKER_MEMORY_MB,
    source: `the WharfJobs construct's default workerMemorySize (${why})`,
  };
}
