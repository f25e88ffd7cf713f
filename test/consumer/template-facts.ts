import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Resource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** One queue of a synthesized WharfJobs stack, found the way CloudFormation wires it (not by logical id). */
export interface QueueFacts {
  readonly queue: string;
  readonly runtime: unknown;
  readonly reportsBatchItemFailures: boolean;
  readonly maxReceiveCount: unknown;
  /** The worker's bundle (the asset its Code points at) in the cloud assembly: index.mjs, its size. */
  readonly bundleBytes: number | undefined;
}

export interface StackFacts {
  readonly queues: readonly QueueFacts[];
  readonly tables: number;
  /** The outbox relay's bundle (the function fed by the table's stream), its size; undefined without one. */
  readonly outboxRelayBytes: number | undefined;
}

const getAtt = (value: unknown): string | undefined =>
  (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

/**
 * Reads a synthesized template from `outdir`: each worker function (told its queue by WHARF_QUEUE), the event
 * source mapping that feeds it, that mapping's source queue and the dead-letter queue of its redrive policy.
 */
export function stackFacts(outdir: string, stackName: string): StackFacts {
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as {
    readonly Resources: Readonly<Record<string, Resource>>;
  };
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const queues: QueueFacts[] = [];
  for (const [fnId, fn] of ofType('AWS::Lambda::Function')) {
    const props = fn.Properties ?? {};
    const variables = (props.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
    const queue = variables?.WHARF_QUEUE;
    if (!queue) continue;
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => (m.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref === fnId,
    )?.[1];
    const sourceId = getAtt(mapping?.Properties?.EventSourceArn);
    const source = sourceId ? resources[sourceId] : undefined;
    const redrive = source?.Properties?.RedrivePolicy as
      | { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown }
      | undefined;
    const dlqId = getAtt(redrive?.deadLetterTargetArn);
    if (source?.Type !== 'AWS::SQS::Queue' || !dlqId || resources[dlqId]?.Type !== 'AWS::SQS::Queue')
      continue;
    const s3Key = (props.Code as { S3Key?: string } | undefined)?.S3Key;
    const bundle = s3Key ? join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs') : undefined;
    queues.push({
      queue,
      runtime: props.Runtime,
      reportsBatchItemFailures: JSON.stringify(mapping?.Properties?.FunctionResponseTypes).includes(
        'ReportBatchItemFailures',
      ),
      maxReceiveCount: redrive?.maxReceiveCount,
      bundleBytes: bundle && existsSync(bundle) ? statSync(bundle).size : undefined,
    });
  }
  return {
    queues: queues.sort((a, b) => a.queue.localeCompare(b.queue)),
    tables: ofType('AWS::DynamoDB::Table').length,
    outboxRelayBytes: outboxRelayBytes(outdir, resources),
  };
}

/** The function whose event source mapping reads a table's stream, and the size of its bundle. */
function outboxRelayBytes(outdir: string, resources: Readonly<Record<string, Resource>>): number | undefined {
  const mapping = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::EventSourceMapping' &&
      (r.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.[
        'Fn::GetAtt'
      ]?.[1] === 'StreamArn',
  );
  const fnId = (mapping?.Properties?.FunctionName as { Ref?: string } | undefined)?.Ref;
  const s3Key = ((fnId ? resources[fnId]?.Properties?.Code : undefined) as { S3Key?: string } | undefined)
    ?.S3Key;
  const bundle = s3Key ? join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs') : undefined;
  return bundle && existsSync(bundle) ? statSync(bundle).size : undefined;
}
