import { importOptionalPeer } from './optional-peer.js';

/**
 * The part of `@aws-sdk/client-cloudwatch` wharf uses: GetMetricData and ListMetrics, for `ops.stats()` and
 * `wharf stats`. Only an operator's tool reads metrics (workers write them as EMF log lines), so the package is
 * an optional peer, typed here rather than imported, and loaded by name, as `wharf env`'s CloudFormation client is.
 */
export interface CloudWatchApi {
  CloudWatchClient: new (config: object) => CloudWatchClient;
  GetMetricDataCommand: new (input: GetMetricDataInput) => unknown;
  ListMetricsCommand: new (input: { Namespace: string; NextToken?: string }) => unknown;
}

export interface MetricDimension {
  readonly Name: string;
  readonly Value: string;
}

export interface MetricDataQuery {
  readonly Id: string;
  readonly MetricStat: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions: readonly MetricDimension[];
    };
    readonly Period: number;
    readonly Stat: string;
  };
  readonly ReturnData: boolean;
}

export interface GetMetricDataInput {
  readonly MetricDataQueries: readonly MetricDataQuery[];
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly ScanBy?: 'TimestampAscending' | 'TimestampDescending';
  readonly NextToken?: string;
}

export interface MetricDataResult {
  readonly Id?: string;
  readonly Timestamps?: Date[];
  readonly Values?: number[];
  readonly StatusCode?: string;
}

export interface CloudWatchClient {
  send(command: unknown): Promise<{
    MetricDataResults?: MetricDataResult[];
    Metrics?: { MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] }[];
    NextToken?: string;
  }>;
  destroy(): void;
}

export function loadCloudWatch(): Promise<CloudWatchApi> {
  return importOptionalPeer<CloudWatchApi>(
    '@aws-sdk/client-cloudwatch',
    'wharf stats reads the per-job-type metrics from CloudWatch',
  );
}
