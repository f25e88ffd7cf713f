import { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { deadLetterFromEnvelope } from '../../src/engine/dead-letter';
import { createEngine } from '../../src/engine/engine';
import type { Disposition } from '../../src/engine/types';
import type { Envelope } from '../../src/envelope/envelope';
import { toOutgoing } from '../../src/envelope/outgoing';
import { createRegistry } from '../../src/job/registry';
import { createManualClock } from '../../src/local/manual-clock';
import { currentTraceHeader, traceHeaderFrom, traceRootOf } from '../../src/observe/trace-header';
import type { JobTracer, TraceSegment, TraceSubsegment } from '../../src/observe/trace-types';
import { createMemoryTransport } from '../../src/transport/memory';

const HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

const ok = defineJob({
  name: 'ok',
  schema: z.object({ n: z.number() }),
  idempotency: 'off',
  perform: () => 1,
});
const fails = defineJob({
  name: 'fails',
  schema: z.object({ n: z.number() }),
  idempotency: 'off',
  retry: { attempts: 2 },
  perform: () => {
    throw Object.assign(new Error('no'), { code: 'E_NO' });
  },
});

afterEach(() => vi.unstubAllEnvs());

/** A span as a JobTracer's segment keeps it: what it was given and whether it was closed. */
interface RecordedSpan {
  readonly name: string;
  readonly annotations: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly errors: unknown[];
  closed: boolean;
}

/**
 * The JobTracer contract, kept in memory: the shape wharf types structurally (Powertools Tracer is proven against
 * the real X-Ray SDK in test/integration/traces.test.ts; this checks the engine's side of the contract).
 */
function recordingTracer(enabled = true): JobTracer & { spans: RecordedSpan[]; segmentReads: number } {
  const spans: RecordedSpan[] = [];
  const parent: TraceSegment = {
    id: 'facade',
    addNewSubsegment(name): TraceSubsegment {
      const span: RecordedSpan = { name, annotations: {}, metadata: {}, errors: [], closed: false };
      spans.push(span);
      return {
        id: `s${spans.length}`,
        addAnnotation: (key, value) => {
          span.annotations[key] = value;
        },
        addMetadata: (key, value) => {
          span.metadata[key] = value;
        },
        addError: (error) => {
          span.errors.push(error);
        },
        close: () => {
          span.closed = true;
        },
      };
    },
  };
  const tracer = {
    spans,
    segmentReads: 0,
    isTracingEnabled: () => enabled,
    getSegment: () => {
      tracer.segmentReads++;
      return parent;
    },
  };
  return tracer;
}

/** Enqueues `payloads` of `job` with the producer's header, then runs every message through one engine at once. */
async function runAll(
  tracer: JobTracer | undefined,
  jobs: readonly { job: typeof ok | typeof fails; n: number }[],
): Promise<Disposition[]> {
  const clock = createManualClock();
  const transport = createMemoryTransport({ clock, queues: ['default'] });
  const engine = createEngine({
    registry: createRegistry([ok, fails]),
    transport,
    clock,
    random: () => 0,
    ...(tracer ? { tracer } : {}),
  });
  const client = createClient({ transport, clock, traceHeader: () => HEADER });
  for (const { job, n } of jobs) await client.enqueue(job.with({ n }));
  const messages = await transport.receive('default', {
    maxMessages: 10,
    waitTimeSeconds: 0,
    visibilityTimeoutSeconds: 30,
  });
  return Promise.all(messages.map((message) => engine.process(message)));
}

describe('the producer trace header', () => {
  it('reads the Root of an X-Ray header, in any position, and nothing from another header', () => {
    expect(traceRootOf(HEADER)).toBe(ROOT);
    expect(traceRootOf(`Sampled=1;Root=${ROOT}`)).toBe(ROOT);
    expect(traceRootOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceRootOf('Root=1-xyz;Sampled=1')).toBeUndefined();
  });

  it('keeps a well-formed header and drops what SQS or the worker would refuse, or a source that throws', () => {
    expect(currentTraceHeader(() => HEADER)).toBe(HEADER);
    expect(currentTraceHeader(() => undefined)).toBeUndefined();
    expect(currentTraceHeader(() => 'traceparent-ish')).toBeUndefined();
    expect(currentTraceHeader(() => `${HEADER};Lineage=${'a'.repeat(600)}`)).toBeUndefined();
    expect(currentTraceHeader(() => `${HEADER}\n`)).toBeUndefined();
    expect(
      currentTraceHeader(() => {
        throw new Error('tracer broke');
      }),
    ).toBeUndefined();
  });

  it("puts the client's header in the envelope and on the message, and enqueues without one it cannot use", async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    await createClient({ transport, clock, traceHeader: () => HEADER }).enqueue(ok.with({ n: 1 }));
    await createClient({
      transport,
      clock,
      traceHeader: () => {
        throw new Error('no tracer here');
      },
    }).enqueue(ok.with({ n: 2 }));
    const received = await transport.receive('default', {
      maxMessages: 10,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
    const envelopes = received.map((m) => JSON.parse(m.body) as Envelope);
    expect(envelopes.map((e) => [e.payload, e.trace])).toEqual([
      [{ n: 1 }, HEADER],
      [{ n: 2 }, undefined],
    ]);
  });

  it("defaults to the Lambda invocation's _X_AMZN_TRACE_ID, read at each enqueue", async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const client = createClient({ transport, clock });
    vi.stubEnv('_X_AMZN_TRACE_ID', HEADER);
    await client.enqueue(ok.with({ n: 1 }));
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
    await client.enqueue(ok.with({ n: 2 }));
    const received = await transport.receive('default', {
      maxMessages: 10,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
    expect(received.map((m) => (JSON.parse(m.body) as Envelope).trace)).toEqual([HEADER, undefined]);
  });

  it('rides on every copy of the envelope: a retry, a deferral and a dead letter send it as AWSTraceHeader', () => {
    const envelope: Envelope = {
      v: 1,
      id: 'j1',
      job: 'ok',
      payload: {},
      attempt: 2,
      createdAtMs: 0,
      enqueuedAtMs: 0,
      trace: HEADER,
    } as Envelope;
    expect(toOutgoing(envelope, 0).traceHeader).toBe(HEADER);
    const info = {
      reason: 'retries-exhausted',
      queue: 'default',
      attempts: 2,
      firstFailedAtMs: 0,
      lastFailedAtMs: 0,
      error: { name: 'Error', message: 'no' },
    } as const;
    const deadLetter = deadLetterFromEnvelope(envelope, info);
    expect(deadLetter.traceHeader).toBe(HEADER);
    expect((JSON.parse(deadLetter.body) as Envelope).trace).toBe(HEADER);
    const { trace: _none, ...untraced } = envelope;
    expect(toOutgoing(untraced, 0).traceHeader).toBeUndefined();
  });

  it("gives a Powertools Tracer's current segment as the header, and none with tracing off", () => {
    // Outside Lambda, Powertools turns tracing off by itself: no header, never a throw.
    expect(traceHeaderFrom(new Tracer())()).toBeUndefined();
    const tracer: JobTracer = {
      isTracingEnabled: () => true,
      getSegment: () => ({
        id: '1a2b3c4d5e6f7081',
        notTraced: false,
        addNewSubsegment: () => undefined as never,
      }),
      getRootXrayTraceId: () => ROOT,
    };
    expect(traceHeaderFrom(tracer)()).toBe(`Root=${ROOT};Parent=1a2b3c4d5e6f7081;Sampled=1`);
  });
});

describe('job spans', () => {
  it('opens a span per run with its annotations and closes each at its own outcome, runs side by side', async () => {
    const tracer = recordingTracer();
    await runAll(tracer, [
      { job: ok, n: 1 },
      { job: fails, n: 2 },
      { job: ok, n: 3 },
    ]);
    expect(tracer.spans.map((s) => [s.name, s.annotations.Outcome, s.closed])).toEqual([
      ['## ok', 'succeeded', true],
      ['## fails', 'retrying', true],
      ['## ok', 'succeeded', true],
    ]);
    expect(tracer.spans[1]!.annotations).toMatchObject({
      JobName: 'fails',
      Queue: 'default',
      Attempt: 1,
      ProducerTraceId: ROOT,
      ErrorCode: 'E_NO',
    });
    expect(typeof tracer.spans[1]!.annotations.JobId).toBe('string');
    expect(tracer.spans[1]!.metadata).toMatchObject({ producerTraceHeader: HEADER });
    expect(tracer.spans[1]!.errors).toEqual([expect.objectContaining({ message: 'no', name: 'Error' })]);
    expect(tracer.spans[0]!.errors).toEqual([]);
  });

  it('with tracing off, only checks: no segment is read, no span made', async () => {
    const tracer = recordingTracer(false);
    await runAll(tracer, [{ job: ok, n: 1 }]);
    expect(tracer.segmentReads).toBe(0);
    expect(tracer.spans).toEqual([]);
  });

  it('a tracer that throws changes no outcome', async () => {
    const jobs = [
      { job: ok, n: 1 },
      { job: fails, n: 2 },
    ];
    const untraced = await runAll(undefined, jobs);
    const broken = (where: 'enabled' | 'segment' | 'span'): JobTracer => ({
      isTracingEnabled: () => {
        if (where === 'enabled') throw new Error('enabled? who knows');
        return true;
      },
      getSegment: () => {
        if (where === 'segment') throw new Error('no segment');
        return {
          id: 'p',
          addNewSubsegment: () => ({
            id: 's',
            addAnnotation: () => {
              throw new Error('annotation refused');
            },
            addMetadata: () => {
              throw new Error('metadata refused');
            },
            addError: () => {
              throw new Error('error refused');
            },
            close: () => {
              throw new Error('close refused');
            },
          }),
        };
      },
    });
    expect(untraced.map((d) => d.action === 'ack' && d.outcome)).toEqual(['succeeded', 'retry-scheduled']);
    for (const where of ['enabled', 'segment', 'span'] as const)
      expect(await runAll(broken(where), jobs)).toEqual(untraced);
  });
});
