import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SQS_LIMITS } from '../transport/message-limits.js';
import type { QueueSettings } from './queue-settings.js';

export interface JobQueuePair {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

export interface QueueRemovalPolicies {
  readonly queue: RemovalPolicy;
  readonly deadLetterQueue: RemovalPolicy;
}

/**
 * A queue and its dead-letter queue, encrypted and TLS-only alike. The dead-letter queue keeps messages longer,
 * so a dead letter outlives the window in which someone notices the alarm. Both are retained by default: a
 * `cdk destroy`, or a change that replaces them, would otherwise delete the jobs and dead letters in them.
 *
 * No redrive-allow policy on the dead-letter queue: limiting it to its source queue (`byQueue`) needs the source
 * queue's ARN, and the source queue already needs the dead-letter queue's ARN for its redrive policy, a
 * dependency cycle CloudFormation refuses while the names are generated. SQS's default (`allowAll`) lets any
 * queue of the account use it as a dead-letter queue, which only an identity allowed to set redrive policies can do.
 */
export function createJobQueues(
  scope: Construct,
  settings: QueueSettings,
  removalPolicies: QueueRemovalPolicies,
  encryptionKey?: IKey,
): JobQueuePair {
  const shared: QueueProps = {
    ...encryptionProps(encryptionKey),
    enforceSSL: true,
    // The largest SQS allows, which the envelope decoder enforces too.
    maxMessageSizeBytes: SQS_LIMITS.maxMessageBytes,
    fifo: settings.fifo || undefined,
  };
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    ...shared,
    retentionPeriod: Duration.seconds(settings.deadLetterRetentionSeconds),
    removalPolicy: removalPolicies.deadLetterQueue,
  });
  const queue = new Queue(scope, 'Queue', {
    ...shared,
    retentionPeriod: Duration.seconds(settings.retentionSeconds),
    visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    removalPolicy: removalPolicies.queue,
  });
  return { queue, deadLetterQueue };
}

function encryptionProps(key: IKey | undefined): Pick<QueueProps, 'encryption' | 'encryptionMasterKey'> {
  // SSE-SQS by default: no key policy to get wrong, and AWS service principals (Scheduler) can still send.
  if (!key) return { encryption: QueueEncryption.SQS_MANAGED };
  return { encryption: QueueEncryption.KMS, encryptionMasterKey: key };
}
