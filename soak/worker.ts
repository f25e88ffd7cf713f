// A soak worker process: the SQS transport and DynamoDB store from createAwsRuntime, createWorker, and SDK clients
// that fail now and then (soak/faults.ts). Started by soak/main.ts, which SIGKILLs it at random and SIGTERMs it at
// the end; it prints soak/protocol.ts lines on stdout and appends job effects to the effects file.
import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { JobEvent } from 'wharf-jobs';
import { createAwsRuntime } from 'wharf-jobs/aws';
import { createWorker } from 'wharf-jobs/worker';
import { type InjectedFault, injectFaults } from './faults';
import { soakJobs } from './jobs';
import { WORKER_ENV, type WorkerLine } from './protocol';
import { seededRandom } from './random';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`soak worker: ${name} is not set`);
  return value;
};
// Synchronous on a pipe on Linux: a line written before a SIGKILL reaches the driver.
const print = (line: WorkerLine) => process.stdout.write(`${JSON.stringify(line)}\n`);

function main(): void {
  const effectsFile = required(WORKER_ENV.effectsFile);
  const { registry } = soakJobs((line) => appendFileSync(effectsFile, `${JSON.stringify(line)}\n`));
  const random = seededRandom(Number(required(WORKER_ENV.seed)));
  const faults = {
    rate: Number(required(WORKER_ENV.faultRate)),
    random,
    onFault: (fault: InjectedFault) => print({ type: 'fault', ...fault }),
  };
  const clientConfig = {
    endpoint: required(WORKER_ENV.endpoint),
    region: 'us-east-1',
    credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
  };
  const sqs = new SQSClient(clientConfig);
  const dynamodb = new DynamoDBClient(clientConfig);
  injectFaults(sqs, 'sqs', faults);
  injectFaults(dynamodb, 'dynamodb', faults);
  const runtime = createAwsRuntime({ registry, sqs, dynamodb });
  const visibilityTimeoutSeconds = Number(required(WORKER_ENV.visibilitySeconds));
  const worker = createWorker({
    registry,
    transport: runtime.transport,
    consumer: runtime.transport,
    store: runtime.store,
    concurrency: Number(required(WORKER_ENV.concurrency)),
    // Short polls: a stopping worker waits for its poll to end.
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds,
    releaseDelaySeconds: 1,
    // A killed exactly-once run's lease (timeout 2 s + 1 s) lapses before its message is visible again.
    leaseMargin: '1s',
    onEvent: (event) => print(eventLine(event)),
    onWarning: (message) => process.stderr.write(`[soak worker ${process.pid}] ${message}\n`),
  });
  process.once('SIGTERM', () => {
    print({ type: 'stopping' });
    worker.stop(10_000).then(
      () => {
        print({ type: 'stopped' });
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`[soak worker ${process.pid}] stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
  worker.run().catch((error: unknown) => {
    process.stderr.write(`[soak worker ${process.pid}] run failed: ${String(error)}\n`);
    process.exit(1);
  });
  print({ type: 'ready', pid: process.pid });
}

function eventLine(event: JobEvent): WorkerLine {
  const detail =
    event.type === 'dead'
      ? event.reason
      : event.type === 'released' || event.type === 'deferred'
        ? event.why
        : event.type === 'retrying'
          ? (event.error.code ?? event.error.name)
          : undefined;
  return {
    type: 'event',
    event: event.type,
    ...(event.jobId === undefined ? {} : { jobId: event.jobId }),
    ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
    ...(detail === undefined ? {} : { detail }),
  };
}

try {
  main();
} catch (error) {
  process.stderr.write(`[soak worker] ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
}
