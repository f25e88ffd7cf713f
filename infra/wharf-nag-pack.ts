import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type NagPackProps, rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag rules that matter for job queues but ship in no cdk-nag pack. Add it next to AwsSolutionsChecks:
 * `Validations.of(app).addPlugins(new WharfChecks(app))`. Our own synth-time lint (config-lint.ts) checks the same
 * rule with the batching window included; this pack makes it visible in cdk-nag reports and for queues and
 * functions that WharfJobs did not create.
 */
export class WharfChecks extends NagPack {
  readonly name = 'Wharf';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'Wharf';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      info: "The SQS queue's visibility timeout is less than 6 times the timeout of the Lambda function it triggers.",
      explanation:
        'Lambda retries throttled and failed batches within the visibility timeout; a shorter one lets a message be ' +
        'delivered again while its first delivery still runs, and throttles burn receive counts towards the dead-letter queue.',
      level: NagMessageLevel.ERROR,
      rule: rules.lambda.LambdaEventSourceSQSVisibilityTimeout,
      node,
    });
  }
}
