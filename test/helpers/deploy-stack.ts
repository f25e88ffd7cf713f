import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { motoEndpoint, schedulerClient, uniqueName } from './aws';
import {
  type EventSourceMapping,
  type FunctionConfiguration,
  lambdaApi,
  eventSourceMappings as lambdaEventSourceMappings,
  functionConfiguration as lambdaFunctionConfiguration,
} from './lambda-rest-api';
import { lintAssemblyLater } from './templates-to-lint';
import { zipDirectory } from './zip';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** The account moto answers as; the template's `${AWS::AccountId}` resolves to it. */
export const MOTO_ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
/** The default CDK bootstrap qualifier: the synthesized template names its bucket and version parameter with it. */
const QUALIFIER = 'hnb659fds';

const clientConfig = () => ({
  endpoint: motoEndpoint(),
  region: REGION,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 2,
});
export const cloudFormationClient = () => new CloudFormationClient(clientConfig());
export const s3Client = () => new S3Client({ ...clientConfig(), forcePathStyle: true });

/** The example stack as moto created it: its outputs and the physical ids of its resources. */
export interface DeployedStack {
  readonly stackName: string;
  /** CfnOutputs by name: `QueueUrlDefault`, `DeadLetterQueueUrlDefault`, `TableName`, ... */
  readonly outputs: Readonly<Record<string, string>>;
  /** Physical id by resource type, e.g. the worker function names under `AWS::Lambda::Function`. */
  readonly resources: Readonly<Record<string, readonly string[]>>;
  /** The worker functions' names; their event source mappings are disabled (see below). */
  readonly workerFunctions: readonly string[];
  readonly template: { readonly Resources: Record<string, { readonly Type: string }> };
}

export interface DeployOptions {
  /** The CDK app command. @default the one in cdk.json (the example app) */
  readonly app?: string;
}

/**
 * Synthesizes the example app with the CDK CLI and deploys its template to moto's CloudFormation the way
 * `cdk deploy` would: the bootstrap resources the template refers to exist (assets bucket, version parameter),
 * the worker's bundled asset is zipped and uploaded where the template expects it, then CreateStack. Each call
 * deploys a new stack with a unique name, so test files do not share queues.
 */
export async function deployExampleStack(options: DeployOptions = {}): Promise<DeployedStack> {
  const assembly = await synthesize(options.app);
  const cfn = cloudFormationClient();
  await ensureBootstrapped(cfn);
  await publishFileAssets(assembly, 'WharfExample');
  const template = JSON.parse(readFileSync(join(assembly, 'WharfExample.template.json'), 'utf8'));
  const stackName = uniqueName('WharfExample');
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify(template),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
  const stack = await waitForStack(cfn, stackName);
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
  const resources = await physicalIds(cfn, stackName);
  const workerFunctions = resources['AWS::Lambda::Function'] ?? [];
  await disableEventSourceMappings(workerFunctions);
  await createSkippedScheduleGroup(outputs.ScheduleGroupName);
  return { stackName, outputs, resources, workerFunctions, template };
}

/**
 * moto's CloudFormation skips AWS::Scheduler::ScheduleGroup, and CreateSchedule into a missing group fails there;
 * the group is created through the Scheduler API instead, as CloudFormation would on AWS. Its name is fixed at
 * synth, so stacks deployed in one run share it (schedule names are unique per test).
 */
async function createSkippedScheduleGroup(name: string | undefined): Promise<void> {
  if (!name) throw new Error('the example stack has no ScheduleGroupName output');
  try {
    await schedulerClient().send(new CreateScheduleGroupCommand({ Name: name }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConflictException') throw error;
  }
}

/**
 * moto cannot run Lambda code without Docker, yet an enabled mapping makes it try on every SendMessage, and the
 * failed try counts as a receive. Tests play the event source mapping themselves (receive from the queue, run
 * the handler in-process), so the mappings the stack created are switched off, as an operator could.
 */
async function disableEventSourceMappings(functionNames: readonly string[]): Promise<void> {
  for (const name of functionNames) {
    for (const mapping of await eventSourceMappings(name)) {
      await lambdaApi(motoEndpoint(), `/2015-03-31/event-source-mappings/${mapping.UUID}`, {
        method: 'PUT',
        body: JSON.stringify({ Enabled: false }),
      });
    }
  }
}

export type { EventSourceMapping } from './lambda-rest-api';

/** The event source mappings of a function on moto. */
export function eventSourceMappings(functionName: string): Promise<EventSourceMapping[]> {
  return lambdaEventSourceMappings(motoEndpoint(), functionName);
}

/** A function's configuration on moto, as the Lambda API returns it. */
export function functionConfiguration(functionName: string): Promise<FunctionConfiguration> {
  return lambdaFunctionConfiguration(motoEndpoint(), functionName);
}

async function synthesize(app: string | undefined): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'wharf-cdk-'));
  const args = ['cdk', 'synth', '--quiet', '--output', out, ...(app ? ['--app', app] : [])];
  // The CLI looks up a default account; pointing it at moto keeps the synth offline and fast.
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: REGION,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  await promisify(execFile)('npx', args, { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  lintAssemblyLater(out);
  return out;
}

/**
 * What `cdk bootstrap` would leave behind that the template uses: the assets bucket and the bootstrap version
 * parameter (read by the template's BootstrapVersion parameter). Created through CloudFormation once per server.
 */
async function ensureBootstrapped(cfn: CloudFormationClient): Promise<void> {
  const template = {
    Resources: {
      Assets: { Type: 'AWS::S3::Bucket', Properties: { BucketName: assetsBucket() } },
      Version: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: `/cdk-bootstrap/${QUALIFIER}/version`, Type: 'String', Value: '30' },
      },
    },
  };
  try {
    await cfn.send(
      new CreateStackCommand({ StackName: 'CDKToolkit', TemplateBody: JSON.stringify(template) }),
    );
  } catch (error) {
    // Another test file bootstrapped this server first.
    if ((error as { name?: string }).name !== 'AlreadyExistsException') throw error;
  }
  await waitForStack(cfn, 'CDKToolkit');
}

const assetsBucket = () => `cdk-${QUALIFIER}-assets-${MOTO_ACCOUNT_ID}-${REGION}`;

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path: string; readonly packaging?: 'zip' | 'file' };
      readonly destinations: Record<string, { readonly bucketName: string; readonly objectKey: string }>;
    }
  >;
}

/** Uploads the stack's file assets (the bundled worker) as the CLI's asset publishing would. */
async function publishFileAssets(assembly: string, stackName: string): Promise<void> {
  const manifest = JSON.parse(
    readFileSync(join(assembly, `${stackName}.assets.json`), 'utf8'),
  ) as AssetManifest;
  const s3 = s3Client();
  for (const asset of Object.values(manifest.files)) {
    const source = join(assembly, asset.source.path);
    // The template itself is a file asset too; CreateStack gets it as TemplateBody instead.
    if (asset.source.packaging !== 'zip') continue;
    const body = zipDirectory(source);
    for (const destination of Object.values(asset.destinations)) {
      // The manifest names the bucket with CloudFormation placeholders, as the CLI's publishing resolves them.
      const bucket = destination.bucketName
        .replace(/\$\{AWS::AccountId\}/, MOTO_ACCOUNT_ID)
        .replace(/\$\{AWS::Region\}/, REGION);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: destination.objectKey, Body: body }));
    }
  }
}

export async function waitForStack(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    const status = stack?.StackStatus ?? '';
    if (status === 'CREATE_COMPLETE') return stack!;
    if (!status.endsWith('_IN_PROGRESS'))
      throw new Error(`stack ${stackName} ended in ${status}: ${await failureReasons(cfn, stackName)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`stack ${stackName} did not reach CREATE_COMPLETE within 60 s`);
}

async function failureReasons(cfn: CloudFormationClient, stackName: string): Promise<string> {
  const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
  return (StackEvents ?? [])
    .filter((e) => e.ResourceStatus?.endsWith('FAILED'))
    .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`)
    .join('; ');
}

async function physicalIds(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string[]>> {
  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
  const byType: Record<string, string[]> = {};
  for (const r of StackResourceSummaries ?? []) {
    if (r.ResourceType && r.PhysicalResourceId)
      byType[r.ResourceType] = [...(byType[r.ResourceType] ?? []), r.PhysicalResourceId];
  }
  return byType;
}
