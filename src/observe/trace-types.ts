/**
 * The part of an X-Ray segment or subsegment that wharf uses: aws-xray-sdk-core's `Segment` and `Subsegment` (what
 * Powertools Tracer's `getSegment()` returns) have it. Typed here, structurally, so that core types never import
 * `@aws-lambda-powertools/tracer` (an optional peer) and bundlers of producer code never pull it in.
 */
export interface TraceSegment {
  readonly id: string;
  /** A root segment's trace id; a subsegment has none of its own. */
  readonly trace_id?: string;
  /** True when the trace is not sampled: nothing under it is sent to X-Ray. */
  readonly notTraced?: boolean;
  addNewSubsegment(name: string): TraceSubsegment;
}

/** A job run's span: a subsegment of the segment current when its batch started. */
export interface TraceSubsegment {
  readonly id: string;
  addAnnotation(key: string, value: string | number | boolean): void;
  addMetadata(key: string, value: unknown, namespace?: string): void;
  addError(error: Error | string): void;
  close(): void;
}

/**
 * What the worker needs of a tracer: a Powertools `Tracer` fits (`tracer: new Tracer()`), as does anything with
 * the same shape. README "Traces".
 */
export interface JobTracer {
  /** Checked once per engine event: with tracing off, that check is all tracing costs. */
  isTracingEnabled(): boolean;
  /** The current segment or subsegment (in a Lambda function, the invocation's facade or a subsegment of it). */
  getSegment(): TraceSegment | undefined;
  /** The current trace's Root (`1-...`); Powertools Tracer reads it from the Lambda invocation. */
  getRootXrayTraceId?(): string | undefined;
}
