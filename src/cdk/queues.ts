import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SQS_LIMITS } from '../transport/message-limits.js';
import type { QueueSettings } from './queue-settings.js';

export interface JobQueuePair {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * A queue and its dead-letter queue, encrypted and TLS-only alike. The dead-letter queue keeps messages longer,
 * so a dead letter outlives the window in which someone notices the alarm.
 */
export function createJobQueues(
  scope: Construct,
  settings: QueueSettings,
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
  });
  const queue = new Queue(scope, 'Queue', {
    ...shared,
    retentionPeriod: Duration.seconds(settings.retentionSeconds),
    visibilityTimeout: Duration.seconds(settings.visibilityTimeoutSeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}

function encryptionProps(key: IKey | undefined): Pick<QueueProps, 'encryption' | 'encryptionMasterKey'> {
  // SSE-SQS by default: no key policy to get wrong, and AWS service principals (Scheduler) can still send.
  if (!key) return { encryption: QueueEncryption.SQS_MANAGED };
  return { encryption: QueueEncryption.KMS, encryptionMasterKey: key };
}
