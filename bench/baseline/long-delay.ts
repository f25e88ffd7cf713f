import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createQueuePair, type Emulator } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { createBaselineHandler } from './handler';
import { baselineBody } from './rig';

const LABEL = 'baseline: one EventBridge Scheduler schedule per job, by hand';

/**
 * Powertools has no delays. Beyond SQS's 15 minutes a careful user creates a one-time schedule per job
 * (`at(...)`, ActionAfterCompletion DELETE, the queue as target, a DLQ for failed deliveries), the design the
 * research note prices (§2.3 d). moto stores schedules but never fires them, so the firing is played here: the
 * schedule's own target input is sent to the queue, logged as Scheduler's request, one Scheduler invocation each.
 */
export async function measureBaselineLongDelay(
  emulator: Emulator,
  options: { readonly jobs: number; readonly delayMs: number },
): Promise<Measured> {
  const log = new RequestLog();
  const queue = await createQueuePair(emulator, 'baseline-delay');
  const scheduler = emulator.scheduler(log, 'producer');
  const bodies = Array.from({ length: options.jobs }, baselineBody);
  const at = new Date(Date.now() + options.delayMs).toISOString().slice(0, 19);
  for (const body of bodies) {
    await scheduler.send(
      new CreateScheduleCommand({
        Name: `job-${(JSON.parse(body) as { id: string }).id}`,
        ScheduleExpression: `at(${at})`,
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: queue.arn,
          RoleArn: 'arn:aws:iam::123456789012:role/bench-scheduler',
          Input: body,
          DeadLetterConfig: { Arn: queue.deadLetterArn },
        },
      }),
    );
  }
  const firing = emulator.sqs(log, 'scheduler');
  for (const body of bodies)
    await firing.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
  const delivery = await deliver(emulator.sqs(log, 'esm'), queue, createBaselineHandler(), options.jobs);
  return {
    label: LABEL,
    log,
    jobs: options.jobs,
    lambdaInvocations: delivery.invocations,
    schedulerInvocations: options.jobs,
    tables: [],
  };
}
