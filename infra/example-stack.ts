import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { JobRegistry } from 'wharf-jobs';
import { WharfJobs, type WharfJobsProps } from 'wharf-jobs/cdk';

export interface ExampleStackProps extends StackProps {
  readonly registry: JobRegistry;
  /** Path of the worker entry (`functions/worker.ts`). */
  readonly workerEntry: string;
  /** @default - the construct's: every stateful resource retained */
  readonly removalPolicy?: WharfJobsProps['removalPolicy'];
  /** @default - the construct's: every alarm */
  readonly alarms?: WharfJobsProps['alarms'];
}

/**
 * The example app's stack: the construct, which also outputs what producers, the CLI and the tests read
 * (`QueueUrl<Queue>`, `TableName`, ...; `wharf env --stack WharfExample` prints them as WHARF_* variables).
 */
export class ExampleStack extends Stack {
  readonly jobs: WharfJobs;

  constructor(scope: Construct, id: string, props: ExampleStackProps) {
    super(scope, id, { description: 'wharf example app: job queues, workers and the job table', ...props });
    this.jobs = new WharfJobs(this, 'Jobs', {
      registry: props.registry,
      workerEntry: props.workerEntry,
      removalPolicy: props.removalPolicy,
      alarms: props.alarms,
    });
  }
}
