/**
 * List prices used for every cost figure, the benchmark's (bench/) and `ops.stats()`'s cost per 1,000 runs: one
 * table, so the two never disagree. us-east-1, on-demand, no free tier. Taken from the project's research note
 * (performance-anchors.md §2.1), which quotes the AWS pricing pages and price list; they were not re-read from the
 * live pages for this table, so check them there before quoting a figure publicly.
 */
export const PRICES = {
  region: 'us-east-1',
  compiledOn: '2026-11-25',
  source:
    'wharf research note performance-anchors.md §2.1 (AWS pricing pages and price list, as quoted there)',
  sqs: {
    usdPerMillionRequests: 0.4,
    basis: 'standard queue, first 100 billion requests a month; every 64 KB of payload counts as one request',
    source: 'aws.amazon.com/sqs/pricing (quoted by unanswered.io, cloudburn.io, factualminds 2026)',
  },
  dynamodb: {
    usdPerMillionWriteUnits: 0.625,
    usdPerMillionReadUnits: 0.125,
    basis:
      'on-demand; 1 write unit per KB written (index writes included), 1 read unit per 4 KB strongly consistent',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand, after the 50% cut effective 2024-11-01',
  },
  lambda: {
    usdPerMillionRequests: 0.2,
    usdPerGbSecondX86: 0.0000166667,
    basis:
      'per invocation, and per GB-second of duration (x86); the benchmark leaves duration out of its per-job cost (it depends on memory size and real latency), ops.stats() prices it at the measured mean duration',
    source: 'aws.amazon.com/lambda/pricing (quoted by third-party cost pages, 2026)',
  },
  scheduler: {
    usdPerMillionInvocations: 1.0,
    usdPerMillionApiCalls: 0,
    basis: 'one-time schedules: each firing is an invocation; creating and deleting schedules is not billed',
    source: 'AWS Price List AWSEvents, effective 2024-10-01; aws.amazon.com/eventbridge/pricing',
  },
} as const;
