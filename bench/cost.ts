import { PRICES } from '../src/ops/prices';

/** What one job costs in billable units, averaged over a measured run. */
export interface UnitsPerJob {
  readonly sqsRequests: number;
  readonly dynamodbWriteUnits: number;
  readonly dynamodbReadUnits: number;
  readonly lambdaInvocations: number;
  readonly schedulerInvocations: number;
}

export interface CostPerMillion {
  readonly sqs: number;
  readonly dynamodb: number;
  readonly lambda: number;
  readonly scheduler: number;
  readonly total: number;
}

/** USD per million jobs at the list prices of PRICES (no free tier, Lambda duration left out). */
export function costPerMillionJobs(units: UnitsPerJob): CostPerMillion {
  const sqs = units.sqsRequests * PRICES.sqs.usdPerMillionRequests;
  const dynamodb =
    units.dynamodbWriteUnits * PRICES.dynamodb.usdPerMillionWriteUnits +
    units.dynamodbReadUnits * PRICES.dynamodb.usdPerMillionReadUnits;
  const lambda = units.lambdaInvocations * PRICES.lambda.usdPerMillionRequests;
  const scheduler = units.schedulerInvocations * PRICES.scheduler.usdPerMillionInvocations;
  return { sqs, dynamodb, lambda, scheduler, total: sqs + dynamodb + lambda + scheduler };
}
