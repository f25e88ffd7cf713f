import { Annotations, Aws, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

// Key policy statements the construct adds so that AWS services can use a customer managed key the user gave it.

/**
 * CloudWatch publishes to an encrypted topic only if the key lets it: without this statement the alarms change
 * state and every notification is dropped. An imported key's policy cannot be changed here: a warning says so.
 */
export function allowCloudWatchToUse(key: IKey, scope: Construct): void {
  const { statementAdded } = key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  if (!statementAdded) {
    Annotations.of(scope).addWarning(
      `wharf: the alarm topic's key ${key.keyArn} is not in this app, so wharf cannot let CloudWatch use it: add a statement ` +
        'allowing cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* to its key policy, or alarm notifications are dropped',
    );
  }
}

/** CloudWatch Logs encrypts a log group with a customer managed key only if the key policy lets it. */
export function allowLogsToUse(key: IKey, scope: Construct): void {
  const stack = Stack.of(scope);
  const { statementAdded } = key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchLogsForWharfWorkers',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
        },
      },
    }),
  );
  if (!statementAdded) {
    Annotations.of(scope).addWarning(
      `wharf: the log key ${key.keyArn} is not in this app, so wharf cannot let CloudWatch Logs use it: add the statement ` +
        'of AWS\'s guide "Encrypt log data in CloudWatch Logs using AWS KMS" to its key policy, or the log groups fail to create',
    );
  }
}
