import { isTraceHeader } from '../envelope/decode.js';
import type { JobTracer } from './trace-types.js';

/** Where a producer's trace header comes from, asked once per enqueue call. */
export type TraceHeaderSource = () => string | undefined;

// X-Ray trace ids: version 1, 8 hex digits of epoch seconds, 24 hex digits of randomness.
const ROOT = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?:;|$)/;

/** The trace id (`1-5759e988-bd862e3fe1be46a994272793`) in an X-Ray trace header, or undefined without one. */
export function traceRootOf(header: string): string | undefined {
  return ROOT.exec(header)?.[1];
}

/**
 * The header a job carries, or none. Only an X-Ray header with a well-formed Root is kept: SQS refuses a malformed
 * AWSTraceHeader (the whole send would fail) and the worker would dead-letter an envelope whose `trace` is not a
 * header. A source that throws, or gives anything else, gives no trace: tracing never fails an enqueue.
 */
export function currentTraceHeader(source: TraceHeaderSource): string | undefined {
  let header: unknown;
  try {
    header = source();
  } catch {
    return undefined;
  }
  if (!isTraceHeader(header)) return undefined;
  return traceRootOf(header) === undefined ? undefined : header;
}

/** The trace the jobs of one enqueue call carry: from the client's source, else the Lambda invocation's. */
export function producerTrace(source: TraceHeaderSource | undefined): string | undefined {
  return currentTraceHeader(source ?? lambdaTraceHeader);
}

/**
 * The default source: in a Lambda function, the invocation's trace header, which the runtime sets in
 * `_X_AMZN_TRACE_ID` for each invocation (read at each enqueue, never kept). Elsewhere usually unset: no trace.
 */
export function lambdaTraceHeader(): string | undefined {
  return process.env._X_AMZN_TRACE_ID;
}

/**
 * A source from a Powertools Tracer (or any JobTracer): the header of its current segment or subsegment, so the
 * job's span is a child of the producer's span rather than of the invocation. README "Traces".
 *
 * @example
 * const client = createClient({ transport, traceHeader: traceHeaderFrom(tracer) });
 */
export function traceHeaderFrom(tracer: JobTracer): TraceHeaderSource {
  return () => {
    if (!tracer.isTracingEnabled()) return undefined;
    const segment = tracer.getSegment();
    const root = segment?.trace_id ?? tracer.getRootXrayTraceId?.();
    if (!segment || !root) return undefined;
    return `Root=${root};Parent=${segment.id};Sampled=${segment.notTraced ? '0' : '1'}`;
  };
}
