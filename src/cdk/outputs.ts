import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  deadLetterArnVariable,
  deadLetterUrlVariable,
  ENV_VARIABLES,
  formatLanes,
  lanesVariable,
  queueArnVariable,
  queueUrlVariable,
} from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import { outputDescription, pascalCase } from '../ops/stack-outputs.js';
import type { LaneQueues } from './lanes.js';
import type { QueueSettings } from './queue-settings.js';
import type { JobSchedules } from './scheduler.js';

/** One queue's resources, as the construct made them. */
export interface QueueResources {
  readonly settings: QueueSettings;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Each lane's queues but the default lane's. */
  readonly lanes?: readonly LaneQueues[];
}

/** One run-time variable, its value, and the stack output that publishes it. */
export interface RuntimeSetting {
  readonly variable: string;
  readonly value: string;
  /** The output's name (logical id) without the construct's prefix: `QueueUrlDefault`, `TableName`. */
  readonly outputName: string;
  /** What the value is, for the output's description. */
  readonly what: string;
  /**
   * Set on the functions wharf configures. The queue ARNs are not: a process reads them from the URLs
   * (env-config.ts, queueArnFromUrl), and each would cost Lambda's 4 KB of environment about 110 bytes.
   */
  readonly inFunctions: boolean;
}

/**
 * One stack output per setting, directly under the stack so the names stay short and stable (`QueueUrlDefault`,
 * not a path hash): they are a contract for `wharf env`, scripts and tests. A second WharfJobs in the same stack
 * needs an `outputPrefix` of its own (CDK refuses two outputs of one name).
 */
export function createStackOutputs(
  scope: Construct,
  settings: readonly RuntimeSetting[],
  prefix: string,
): Record<string, CfnOutput> {
  const stack = Stack.of(scope);
  const taken = settings.map((s) => `${prefix}${s.outputName}`).filter((id) => stack.node.tryFindChild(id));
  if (taken.length > 0) {
    throw new ConfigError(
      `wharf: WharfJobs "${scope.node.path}" cannot create its stack outputs: stack ${stack.stackName} already has ` +
        `${taken.join(', ')} (another WharfJobs?). Give this one an outputPrefix, or set outputs: false.`,
    );
  }
  const outputs: Record<string, CfnOutput> = {};
  for (const s of settings) {
    outputs[s.variable] = new CfnOutput(stack, `${prefix}${s.outputName}`, {
      value: s.value,
      description: outputDescription(s.variable, s.what),
    });
  }
  return outputs;
}

/**
 * The run-time configuration (src/config/env-config.ts), each variable with the stack output that publishes it:
 * one list, so the functions' environment and the outputs `wharf env` reads can never disagree.
 */
export function runtimeSettings(
  pairs: readonly QueueResources[],
  table: ITable,
  schedules: Pick<JobSchedules, 'scheduleGroupName' | 'schedulerRole'>,
  outbox = false,
): RuntimeSetting[] {
  const settings: RuntimeSetting[] = [
    {
      variable: ENV_VARIABLES.tableName,
      value: table.tableName,
      outputName: 'TableName',
      what: 'the job table',
      inFunctions: true,
    },
    ...(outbox
      ? [
          {
            variable: ENV_VARIABLES.outbox,
            value: '1',
            outputName: 'Outbox',
            what: "that the job table's outbox is relayed (client.transactItems)",
            inFunctions: true,
          },
        ]
      : []),
    {
      variable: ENV_VARIABLES.scheduleGroup,
      value: schedules.scheduleGroupName,
      outputName: 'ScheduleGroupName',
      what: 'the schedule group of jobs due beyond 15 minutes and recurring tasks',
      inFunctions: true,
    },
    {
      variable: ENV_VARIABLES.schedulerRoleArn,
      value: schedules.schedulerRole.roleArn,
      outputName: 'SchedulerRoleArn',
      what: 'the role EventBridge Scheduler sends to the queues with',
      inFunctions: true,
    },
  ];
  for (const pair of pairs) {
    const { settings: queueSettings } = pair;
    if (queueSettings.lanes)
      settings.push({
        variable: lanesVariable(queueSettings.queue),
        value: formatLanes(queueSettings.lanes),
        outputName: `Lanes${pascalCase(queueSettings.queue)}`,
        what: `priority lanes of queue "${queueSettings.queue}" and their weights, the default lane first`,
        inFunctions: true,
      });
    const laneSettings = (pair.lanes ?? []).map((lane) => ({
      settings: queueSettings,
      queue: lane.queue,
      deadLetterQueue: lane.deadLetterQueue,
      name: lane.address,
      suffix: `${pascalCase(queueSettings.queue)}Lane${pascalCase(lane.lane)}`,
    }));
    const own = { ...pair, name: queueSettings.queue, suffix: pascalCase(queueSettings.queue) };
    for (const entry of [own, ...laneSettings]) settings.push(...queueVariables(entry));
  }
  return settings;
}

/** A queue's (or a lane's) URL variables, and its ARNs for the outputs. */
function queueVariables(entry: QueueResources & { readonly name: string; readonly suffix: string }) {
  const { settings: queueSettings, queue, deadLetterQueue, name, suffix } = entry;
  const settings: RuntimeSetting[] = [];
  settings.push(
    {
      variable: queueUrlVariable(name),
      value: queue.queueUrl,
      outputName: `QueueUrl${suffix}`,
      what: `URL of job queue "${name}"`,
      inFunctions: true,
    },
    {
      variable: deadLetterUrlVariable(name),
      value: deadLetterQueue.queueUrl,
      outputName: `DeadLetterQueueUrl${suffix}`,
      what: `URL of the dead-letter queue of "${name}"`,
      inFunctions: true,
    },
  );
  // Scheduler cannot use a FIFO dead-letter queue: long waits on FIFO queues hop through SQS instead.
  if (queueSettings.fifo) return settings;
  settings.push(
    {
      variable: queueArnVariable(name),
      value: queue.queueArn,
      outputName: `QueueArn${suffix}`,
      what: `ARN of job queue "${name}" (Scheduler's target)`,
      inFunctions: false,
    },
    {
      variable: deadLetterArnVariable(name),
      value: deadLetterQueue.queueArn,
      outputName: `DeadLetterQueueArn${suffix}`,
      what: `ARN of the dead-letter queue of "${name}" (the schedules' DLQ)`,
      inFunctions: false,
    },
  );
  return settings;
}
