/**
 * The CloudWatch Embedded Metric Format specification, as checks on one log line: a test reads every line a worker
 * wrote and holds each EMF document to what CloudWatch Logs requires before it extracts metrics from it
 * (docs: CloudWatch "Specification: Embedded metric format"). A document that breaks a rule is dropped by
 * CloudWatch without a word, so the test must catch it.
 */

/** CloudWatch's MetricDatum units: the only values `Unit` may take. */
export const EMF_UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly {
        readonly Name: string;
        readonly Unit?: string;
        readonly StorageResolution?: number;
      }[];
    }[];
  };
  readonly [member: string]: unknown;
}

/** The problems of one parsed line as an EMF document; empty when it is a valid one. */
export function emfProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null) return ['not a JSON object'];
  const root = doc as Record<string, unknown>;
  const aws = root._aws as Record<string, unknown> | undefined;
  if (typeof aws !== 'object' || aws === null) return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) <= 0)
    problems.push('_aws.Timestamp must be epoch milliseconds (a positive integer)');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives) || directives.length === 0)
    return [...problems, '_aws.CloudWatchMetrics must be a non-empty array'];
  for (const [i, d] of directives.entries()) {
    const at = `CloudWatchMetrics[${i}]`;
    if (typeof d.Namespace !== 'string' || d.Namespace.length < 1 || d.Namespace.length > 1024)
      problems.push(`${at}.Namespace must be 1-1024 characters`);
    if (!Array.isArray(d.Dimensions)) problems.push(`${at}.Dimensions must be an array of dimension sets`);
    else
      for (const set of d.Dimensions) {
        if (!Array.isArray(set) || set.length > 30)
          problems.push(`${at}: a dimension set has at most 30 names`);
        for (const name of set) {
          if (typeof root[name] !== 'string') problems.push(`${at}: dimension ${name} needs a string member`);
          else if ((root[name] as string).length < 1 || (root[name] as string).length > 1024)
            problems.push(`${at}: dimension ${name}'s value must be 1-1024 characters`);
        }
      }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100)
      problems.push(`${at}.Metrics: at most 100 metrics`);
    else
      for (const m of d.Metrics) {
        if (typeof m.Name !== 'string' || m.Name.length < 1 || m.Name.length > 1024)
          problems.push(`${at}: a metric Name must be 1-1024 characters`);
        if (m.Unit !== undefined && !EMF_UNITS.has(m.Unit))
          problems.push(`${at}: ${m.Name}'s Unit ${m.Unit}`);
        if (m.StorageResolution !== undefined && m.StorageResolution !== 1 && m.StorageResolution !== 60)
          problems.push(`${at}: ${m.Name}'s StorageResolution must be 1 or 60`);
        const value = root[m.Name];
        const values = Array.isArray(value) ? value : [value];
        if (values.length === 0 || values.length > 100)
          problems.push(`${m.Name}: a value or an array of 1-100 values`);
        if (!values.every((v) => typeof v === 'number' && Number.isFinite(v)))
          problems.push(`${m.Name}: every value must be a finite number`);
      }
  }
  return problems;
}

/** The lines of `output` that are EMF documents (they have `_aws`), parsed. */
export function emfDocuments(output: string): EmfDocument[] {
  return output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** The sum of one metric's values per JobName over the documents (a count metric's one number per flush). */
export function sumsByJob(docs: readonly EmfDocument[], metric: string): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const doc of docs) {
    const value = doc[metric];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? (value as number[]) : [value as number];
    const job = doc.JobName as string;
    sums[job] = (sums[job] ?? 0) + values.reduce((a, b) => a + b, 0);
  }
  return sums;
}

/** How many values of one metric each JobName published (a value per run for Duration, Latency, Attempts). */
export function valueCountsByJob(docs: readonly EmfDocument[], metric: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const doc of docs) {
    const value = doc[metric];
    if (value === undefined) continue;
    const job = doc.JobName as string;
    counts[job] = (counts[job] ?? 0) + (Array.isArray(value) ? value.length : 1);
  }
  return counts;
}
