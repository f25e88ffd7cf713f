import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { motoEndpoint, uniqueName } from '../helpers/aws';
import { cloudFormationClient, waitForStack } from '../helpers/deploy-stack';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { FIXTURE_WORKER, twoQueues } from '../infra/fixtures';

const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function wharf(args: readonly string[], env: Record<string, string | undefined> = process.env): Promise<Run> {
  return new Promise((done) => {
    const flags = ['--endpoint-url', motoEndpoint(), '--region', 'us-east-1'];
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...flags, ...args],
      { cwd: ROOT, env, timeout: 30_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `export NAME='value'` lines back into a map, the way a POSIX shell's eval would read them. */
function evalExports(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => {
        const m = /^export ([A-Z0-9_]+)='((?:[^']|'\\'')*)'$/.exec(line);
        if (!m) throw new Error(`not an export line: ${line}`);
        return [m[1]!, m[2]!.replace(/'\\''/g, "'")];
      }),
  );
}

// The construct's real template on moto's CloudFormation: no Lambda workers (moto runs no Lambda code and the
// workers' assets would need bundling), everything else as synthesized, outputs included.
describe('wharf env --stack, against a stack deployed to moto', () => {
  let stackName: string;
  let outputs: Record<string, string>;
  const WITHOUT_CREDENTIALS = {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    PATH: process.env.PATH,
    HOME: process.env.HOME,
  };

  beforeAll(async () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Env', {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    new WharfJobs(stack, 'Jobs', {
      registry: twoQueues(),
      workerEntry: FIXTURE_WORKER,
      queueDefaults: { lambdaWorker: false },
    });
    stackName = uniqueName('WharfEnv');
    const cfn = cloudFormationClient();
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify(lintedTemplate(stack).toJSON()),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    await waitForStack(cfn, stackName);
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
  });

  it("prints the stack's outputs as export lines for every WHARF_* variable", async () => {
    const run = await wharf(['env', '--stack', stackName], WITHOUT_CREDENTIALS);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const env = evalExports(run.stdout);
    expect(env).toEqual({
      WHARF_TABLE_NAME: outputs.TableName,
      WHARF_SCHEDULE_GROUP: outputs.ScheduleGroupName,
      WHARF_SCHEDULER_ROLE_ARN: outputs.SchedulerRoleArn,
      WHARF_METRICS_NAMESPACE: outputs.MetricsNamespace,
      WHARF_QUEUE_URL_DEFAULT: outputs.QueueUrlDefault,
      WHARF_DLQ_URL_DEFAULT: outputs.DeadLetterQueueUrlDefault,
      WHARF_QUEUE_ARN_DEFAULT: outputs.QueueArnDefault,
      WHARF_DLQ_ARN_DEFAULT: outputs.DeadLetterQueueArnDefault,
      WHARF_QUEUE_URL_EMAILS: outputs.QueueUrlEmails,
      WHARF_DLQ_URL_EMAILS: outputs.DeadLetterQueueUrlEmails,
      WHARF_QUEUE_ARN_EMAILS: outputs.QueueArnEmails,
      WHARF_DLQ_ARN_EMAILS: outputs.DeadLetterQueueArnEmails,
    });
    expect(env.WHARF_QUEUE_URL_EMAILS).toMatch(/^https?:\/\/.+emails/i);
  });

  it('is all the next command needs: the CLI finds the queues and the table from those variables alone', async () => {
    const env = evalExports((await wharf(['env', '--stack', stackName], WITHOUT_CREDENTIALS)).stdout);
    const queues = await wharf(['--json', 'queues'], { ...WITHOUT_CREDENTIALS, ...env });
    expect(queues.stderr).toBe('');
    expect(JSON.parse(queues.stdout).map((q: { queue: string }) => q.queue)).toEqual(['default', 'emails']);
    const jobs = await wharf(['--json', 'jobs', 'list', '--status', 'dead'], {
      ...WITHOUT_CREDENTIALS,
      ...env,
    });
    expect(jobs.code).toBe(0);
    expect(JSON.parse(jobs.stdout)).toMatchObject({ records: [] });
  });

  it('prints JSON with --json, and exits 4 naming the stack when there is none', async () => {
    const json = await wharf(['--json', 'env', '--stack', stackName], WITHOUT_CREDENTIALS);
    expect(JSON.parse(json.stdout)).toMatchObject({ WHARF_TABLE_NAME: outputs.TableName });
    const missing = await wharf(['env', '--stack', 'NoSuchStack'], WITHOUT_CREDENTIALS);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/^wharf: No stack "NoSuchStack"/);
  });
});
