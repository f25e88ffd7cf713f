import { describeShape, itemSizes, readUnits, type TableShape, writeUnits } from './aws/capacity';
import type { Emulator } from './aws/emulator';
import { type CostPerMillion, costPerMillionJobs } from './cost';
import type { Measured } from './measured';

/** One side's billable work per job in a scenario, and what it costs per million jobs. */
export interface SideUnits {
  readonly label: string;
  readonly jobs: number;
  /** SQS, DynamoDB and Scheduler API requests, the event source mapping's receives and deletes included. */
  readonly requestsPerJob: number;
  readonly sqsRequestsPerJob: number;
  readonly dynamodbRequestsPerJob: number;
  readonly dynamodbWritesPerJob: number;
  readonly schedulerRequestsPerJob: number;
  readonly writeUnitsPerJob: { readonly table: number; readonly index: number; readonly total: number };
  readonly readUnitsPerJob: number;
  readonly lambdaInvocationsPerJob: number;
  readonly schedulerInvocationsPerJob: number;
  readonly costPerMillionJobs: CostPerMillion;
  /** `"esm sqs ReceiveMessage": 0.1` ... */
  readonly requestsPerJobByCall: Record<string, number>;
}

export async function toUnits(emulator: Emulator, measured: Measured): Promise<SideUnits> {
  const { log, jobs } = measured;
  const shapes = new Map<string, TableShape>();
  const sizes = new Map<string, Map<string, number>>();
  for (const table of measured.tables) {
    const shape = await describeShape(emulator.setup.dynamodb, table);
    shapes.set(table, shape);
    sizes.set(table, await itemSizes(emulator.setup.dynamodb, table, shape));
  }
  const wu = writeUnits(log.writes, shapes, sizes);
  const perJob = (n: number) => n / jobs;
  const units = {
    sqsRequests: perJob(log.count({ service: 'sqs' })),
    dynamodbWriteUnits: perJob(wu.table + wu.index),
    dynamodbReadUnits: perJob(readUnits(log.reads)),
    lambdaInvocations: perJob(measured.lambdaInvocations),
    schedulerInvocations: perJob(measured.schedulerInvocations),
  };
  return {
    label: measured.label,
    jobs,
    requestsPerJob: perJob(log.count()),
    sqsRequestsPerJob: units.sqsRequests,
    dynamodbRequestsPerJob: perJob(log.count({ service: 'dynamodb' })),
    dynamodbWritesPerJob: perJob(log.writes.length),
    schedulerRequestsPerJob: perJob(log.count({ service: 'scheduler' })),
    writeUnitsPerJob: { table: perJob(wu.table), index: perJob(wu.index), total: units.dynamodbWriteUnits },
    readUnitsPerJob: units.dynamodbReadUnits,
    lambdaInvocationsPerJob: units.lambdaInvocations,
    schedulerInvocationsPerJob: units.schedulerInvocations,
    costPerMillionJobs: costPerMillionJobs(units),
    requestsPerJobByCall: Object.fromEntries(
      Object.entries(log.breakdown()).map(([call, n]) => [call, perJob(n)]),
    ),
  };
}
