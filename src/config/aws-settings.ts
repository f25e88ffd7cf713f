import { resolveRegion } from './region.js';

/** The AWS services wharf talks to, each with one client per process (src/runtime/aws-clients.ts). */
export type AwsService = 'sqs' | 'dynamodb' | 'scheduler' | 'cloudformation' | 'lambda' | 'cloudwatch';

/** The SDK's own per-service endpoint variables (AWS "service-specific endpoints"). */
const ENDPOINT_VARIABLE: Readonly<Record<AwsService, string>> = {
  sqs: 'AWS_ENDPOINT_URL_SQS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  cloudwatch: 'AWS_ENDPOINT_URL_CLOUDWATCH',
};

export interface AwsSettingsInput {
  /** Where AWS_* variables are read first. */
  readonly env: NodeJS.ProcessEnv;
  /** Wins over AWS_REGION and AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** One endpoint for every service (LocalStack, moto): wins over AWS_ENDPOINT_URL and its per-service variants. */
  readonly endpoint?: string;
  /**
   * Whether wharf builds a client (rather than using only the caller's own): then a missing region is a
   * ConfigError now, not a failed first request (see region.ts).
   */
  readonly buildsClient: boolean;
}

/** What every client wharf builds is configured with: decided once, so every client and decision agrees. */
export interface AwsSettings {
  /** Undefined when the SDK reads it from a profile in the shared config file. */
  readonly region?: string;
  endpointOf(service: AwsService): string | undefined;
}

/**
 * The AWS side of the environment contract, decoded once for the one composition root.
 *
 * Each value is read from `env` first, then from the process environment: the SDK reads the process environment
 * itself, so an endpoint or region found only there would reach the clients anyway. Reading it here and passing
 * it to each client explicitly makes wharf's own decisions (the missing-region error, whether SQS requests follow
 * the queue URL's host) match what the clients do. This and region.ts are the only readers of AWS_* variables.
 */
export function awsSettingsFromEnv(input: AwsSettingsInput): AwsSettings {
  const { env } = input;
  const region = input.buildsClient ? resolveRegion(input.region, env) : input.region;
  // `env` as a whole first: its AWS_ENDPOINT_URL wins over a per-service variable of the process environment.
  const lookup = (read: (source: NodeJS.ProcessEnv) => string | undefined) => read(env) ?? read(process.env);
  // The SDK's switch for ignoring configured endpoints: honoured for the variables, not for an explicit option.
  const ignored = lookup((e) => nonEmpty(e.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS))?.toLowerCase() === 'true';
  return {
    ...(region === undefined ? {} : { region }),
    endpointOf: (service) =>
      input.endpoint ??
      (ignored
        ? undefined
        : lookup((e) => nonEmpty(e[ENDPOINT_VARIABLE[service]]) ?? nonEmpty(e.AWS_ENDPOINT_URL))),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
