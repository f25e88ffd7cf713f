import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { JobRegistry } from 'wharf-jobs';
import { WharfJobs } from 'wharf-jobs/cdk';

export interface ExampleStackProps extends StackProps {
  readonly registry: JobRegistry;
  /** Path of the worker entry (`functions/worker.ts`). */
  readonly workerEntry: string;
}

/**
 * The example app's stack: the construct and the outputs tests and producers read. Output names are a contract:
 * `QueueUrl<Queue>`, `DeadLetterQueueUrl<Queue>`, `QueueArn<Queue>`, `DeadLetterQueueArn<Queue>` (queue name in
 * PascalCase), `TableName`, `ScheduleGroupName`, `SchedulerRoleArn`.
 */
export class ExampleStack extends Stack {
  readonly jobs: WharfJobs;

  constructor(scope: Construct, id: string, props: ExampleStackProps) {
    super(scope, id, { description: 'wharf example app: job queues, workers and the job table', ...props });
    this.jobs = new WharfJobs(this, 'Jobs', { registry: props.registry, workerEntry: props.workerEntry });
    for (const [queue, q] of Object.entries(this.jobs.queues)) {
      new CfnOutput(this, `QueueUrl${pascalCase(queue)}`, { value: q.queueUrl });
      new CfnOutput(this, `DeadLetterQueueUrl${pascalCase(queue)}`, {
        value: this.jobs.deadLetterQueues[queue]!.queueUrl,
      });
      // What a producer elsewhere needs to schedule jobs due beyond 15 minutes (WHARF_QUEUE_ARN_/WHARF_DLQ_ARN_).
      new CfnOutput(this, `QueueArn${pascalCase(queue)}`, { value: q.queueArn });
      new CfnOutput(this, `DeadLetterQueueArn${pascalCase(queue)}`, {
        value: this.jobs.deadLetterQueues[queue]!.queueArn,
      });
    }
    new CfnOutput(this, 'TableName', { value: this.jobs.table.tableName });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.jobs.scheduleGroupName });
    new CfnOutput(this, 'SchedulerRoleArn', { value: this.jobs.schedulerRole.roleArn });
  }
}

/** `emails-high` -> `EmailsHigh`: queue names are lowercase letters, digits and "-". */
export function pascalCase(queue: string): string {
  return queue
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
