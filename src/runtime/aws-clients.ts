import { type AwsService, awsSettingsFromEnv } from '../config/aws-settings.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { DynamoDBClient } from '../store/dynamodb/dynamodb-api.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';
import { type CloudFormationClient, loadCloudFormation } from './cloudformation-api.js';
import { type CloudWatchClient, loadCloudWatch } from './cloudwatch-api.js';
import { type LambdaClient, loadLambda } from './lambda-api.js';
import { loadOnce } from './load-once.js';

export interface AwsClientsOptions {
  /** Where AWS_* variables are read first (then the process environment: see config/aws-settings.ts). */
  readonly env: NodeJS.ProcessEnv;
  /** @default AWS_REGION, then AWS_DEFAULT_REGION, then a profile's region */
  readonly region?: string;
  /** One endpoint for every service (LocalStack, moto). @default AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL */
  readonly endpoint?: string;
  /** The caller's own clients: handed out as they are, and never destroyed by `close()`. */
  readonly given?: {
    readonly sqs?: SQSClient;
    readonly dynamodb?: DynamoDBClient;
    readonly scheduler?: SchedulerClient;
  };
  /**
   * The services this process will build a client for. When one of them is not given, a missing region is a
   * ConfigError now. @default every service
   */
  readonly uses?: readonly AwsService[];
  /**
   * Where the DynamoDB client class comes from. The runtime passes the class it imports statically (a job's happy
   * path needs it at init); ops and `wharf env` pass `importDynamoDBClass`
   * (import-dynamodb-class.ts). It is the caller's choice, not a
   * dynamic import here, because a bundler keeps every export of a module that any code imports dynamically:
   * an `import()` of the DynamoDB module in this file put the whole DynamoDB SDK (every command's schema, about
   * 45 KB minified) in every worker bundle.
   */
  readonly dynamodbClass: () => DynamoDBClientClass | Promise<DynamoDBClientClass>;
}

export type DynamoDBClientClass = typeof import('../store/dynamodb/dynamodb-client-class.js').DynamoDBClient;

/** One client per AWS service, each built on its first call, once per process. */
export interface AwsClients {
  sqs(): Promise<SQSClient>;
  dynamodb(): Promise<DynamoDBClient>;
  scheduler(): Promise<SchedulerClient>;
  /** Destroys the clients built so far (a CLI then exits at once); given ones are the caller's to close. */
  close(): void;
}

/**
 * With the operator's clients, which the runtime never hands out: CloudFormation (`wharf env`), Lambda (ops
 * pausing a queue's event source mappings, and reading its worker's memory size) and CloudWatch (`ops.stats()`).
 */
export interface AwsClientRoot extends AwsClients {
  cloudFormation(): Promise<CloudFormationClient>;
  lambda(): Promise<LambdaClient>;
  cloudWatch(): Promise<CloudWatchClient>;
}

/**
 * The one composition root of wharf's AWS clients: the only file that constructs an SDK client (a test scans
 * src/ for this). Everything else (the runtime's transport, store and scheduler, ops' queue admin, `wharf env`)
 * asks it, so region and endpoint are decided once and a process never holds two clients of one service.
 *
 * Each client's SDK module is imported on the client's first call: importing wharf-jobs/ops or building ops that
 * are never called loads none. A module that a caller imports statically (the runtime imports the DynamoDB
 * store, on a job's happy path) is then already loaded at init, and its first call only builds the client.
 */
export function createAwsClients(options: AwsClientsOptions): AwsClientRoot {
  const given = options.given ?? {};
  const configOf = clientConfigs(options);
  const built: { destroy(): void }[] = [];
  const keep = <C extends { destroy(): void }>(client: C): C => {
    built.push(client);
    return client;
  };
  return {
    sqs: loadOnce(async () => {
      if (given.sqs) return given.sqs;
      const { SQSClient } = await import('../transport/sqs/sqs-client-class.js');
      // SQS sends each request to its queue URL's host by default. With an endpoint configured (LocalStack,
      // moto), that endpoint wins: emulators can hand out amazonaws.com-looking queue URLs (moto's
      // CloudFormation does), and the user asked for their endpoint.
      const config = configOf('sqs');
      return keep(new SQSClient({ ...config, useQueueUrlAsEndpoint: config.endpoint === undefined }));
    }),
    dynamodb: loadOnce(async () => {
      if (given.dynamodb) return given.dynamodb;
      const DynamoDBClient = await options.dynamodbClass();
      return keep(new DynamoDBClient(configOf('dynamodb')));
    }),
    scheduler: loadOnce(async () => {
      if (given.scheduler) return given.scheduler;
      const { SchedulerClient } = await import('../schedule/eventbridge/scheduler-client-class.js');
      return keep(new SchedulerClient(configOf('scheduler')));
    }),
    cloudFormation: loadOnce(async () => {
      const { CloudFormationClient } = await loadCloudFormation();
      return keep(new CloudFormationClient(configOf('cloudformation')));
    }),
    lambda: loadOnce(async () => {
      const { LambdaClient } = await loadLambda();
      return keep(new LambdaClient(configOf('lambda')));
    }),
    cloudWatch: loadOnce(async () => {
      const { CloudWatchClient } = await loadCloudWatch();
      return keep(new CloudWatchClient(configOf('cloudwatch')));
    }),
    close: () => {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}

/**
 * Each service's client settings, decided once: the region (a ConfigError now when it is missing and a client
 * will be built) and the endpoint, passed to the client explicitly.
 */
function clientConfigs(options: AwsClientsOptions): (service: AwsService) => ClientConfig {
  const given = options.given ?? {};
  const uses = options.uses ?? ['sqs', 'dynamodb', 'scheduler', 'cloudformation', 'lambda', 'cloudwatch'];
  const settings = awsSettingsFromEnv({
    env: options.env,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    buildsClient: uses.some(
      (service) =>
        service === 'cloudformation' || service === 'lambda' || service === 'cloudwatch' || !given[service],
    ),
  });
  return (service) => {
    const endpoint = settings.endpointOf(service);
    return {
      ...(settings.region === undefined ? {} : { region: settings.region }),
      ...(endpoint === undefined ? {} : { endpoint }),
    };
  };
}

interface ClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
}
