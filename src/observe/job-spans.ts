import type { JobEvent, JobEventListener } from '../engine/events.js';
import { errorFromSummary } from '../engine/failure-hooks.js';
import type { ErrorSummary } from '../envelope/envelope.js';
import { traceRootOf } from './trace-header.js';
import type { JobTracer, TraceSubsegment } from './trace-types.js';

/** The events that end a run once it has started: each closes the run's span. */
const RUN_ENDS = new Set<JobEvent['type']>([
  'succeeded',
  'retrying',
  'dead',
  'discarded',
  'cancelled',
  'lease-lost',
  'sleeping',
  'released',
]);

/**
 * A span per job run (README "Traces"): an X-Ray subsegment `## <job name>` opened at the run's `started` event
 * and closed at its outcome, with the job's annotations, the producer's trace and, on a failure, the error.
 *
 * The runs of one batch are concurrent, so a span is never made "the current segment": each is a child of the
 * segment current when its run started (the Lambda invocation's facade, or the subsegment of a middleware that
 * wraps the handler) and is found again by its run, not by context. Whatever the tracer or the SDK throws is
 * caught by the engine's listener guard (safeEmit) and changes no outcome. None without a tracer.
 */
export function jobSpans(tracer: JobTracer | undefined): JobEventListener | undefined {
  if (!tracer) return undefined;
  const open = new Map<string, TraceSubsegment[]>();
  return (event) => {
    if (event.type !== 'started' && !RUN_ENDS.has(event.type)) return;
    if (!tracer.isTracingEnabled()) return;
    if (event.type === 'started') return startSpan(tracer, event, open);
    const key = runKey(event);
    const spans = open.get(key);
    const span = spans?.shift();
    if (!span) return; // an outcome before any start (a deferral, an unknown job): no run, no span
    if (spans?.length === 0) open.delete(key);
    endSpan(span, event);
  };
}

/** Two deliveries of one job may run in one batch: runs are told apart by attempt too, and kept in order. */
function runKey(event: JobEvent): string {
  return `${event.queue}\u0000${event.jobId ?? ''}\u0000${event.attempt ?? 0}`;
}

function startSpan(
  tracer: JobTracer,
  event: Extract<JobEvent, { type: 'started' }>,
  open: Map<string, TraceSubsegment[]>,
): void {
  const parent = tracer.getSegment();
  if (!parent) return;
  const span = parent.addNewSubsegment(`## ${event.jobName ?? 'unknown job'}`);
  // Kept before it is annotated: should an annotation throw, the outcome still finds the span and closes it.
  const key = runKey(event);
  open.set(key, [...(open.get(key) ?? []), span]);
  span.addAnnotation('JobName', event.jobName ?? '');
  span.addAnnotation('JobId', event.jobId ?? '');
  span.addAnnotation('Queue', event.queue);
  if (event.attempt !== undefined) span.addAnnotation('Attempt', event.attempt);
  const producerRoot = event.trace === undefined ? undefined : traceRootOf(event.trace);
  if (producerRoot !== undefined) span.addAnnotation('ProducerTraceId', producerRoot);
  span.addMetadata('latencyMs', event.latencyMs, 'wharf');
  if (event.trace !== undefined) span.addMetadata('producerTraceHeader', event.trace, 'wharf');
}

function endSpan(span: TraceSubsegment, event: JobEvent): void {
  try {
    span.addAnnotation('Outcome', event.type);
    const error = errorOf(event);
    if (error?.code !== undefined) span.addAnnotation('ErrorCode', error.code);
    if (error) span.addError(errorFromSummary(error));
  } finally {
    span.close();
  }
}

function errorOf(event: JobEvent): ErrorSummary | undefined {
  switch (event.type) {
    case 'retrying':
    case 'dead':
    case 'discarded':
    case 'released':
      return event.error;
    default:
      return undefined;
  }
}
