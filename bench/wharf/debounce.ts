import { createClient, createRegistry, defineJob } from 'wharf-jobs';
import { createDynamoJobStore, createJobTable } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createManualClock } from 'wharf-jobs/local';
import { createQueuePair, type Emulator, uniqueName } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { type NoopPayload, noopPayloadSchema } from './jobs';
import { compressDelays, transportTo } from './long-delay';

/** Enqueues per burst of one key in the debounce row of figure 1. */
export const DEBOUNCE_BURST = 10;

const WAIT_MS = 1_000;
/** Past the burst's due time and the grace in which its latest message may still arrive (DEBOUNCE_GRACE_MS). */
const PAST_GRACE_MS = 6_000;

/**
 * Debounced bursts, as a deployment runs them: a producer enqueues `size` jobs of one key one by one, and the
 * Lambda handler takes every message. moto cannot fast-forward SQS delays, so time is compressed as for the hop
 * path: producer and worker share a manual clock that jumps to each burst's due time, and messages go out with
 * DelaySeconds 0 to the queues below. Every request is one the path makes; the costs are per enqueue.
 */
export async function measureDebounce(
  emulator: Emulator,
  { bursts, size }: { readonly bursts: number; readonly size: number },
): Promise<Measured> {
  const log = new RequestLog();
  const clock = createManualClock(Math.floor(Date.now() / 1000) * 1000);
  // On AWS a burst's earlier messages are due before its last one is even visible (each waits `wait` from its
  // own enqueue), so they reach the worker first. With delays compressed, that order is kept by queues: the
  // earlier messages on one, the last ones on another, the deferrals landing on a third.
  const early = await createQueuePair(emulator, 'wharf-debounce-early');
  const last = await createQueuePair(emulator, 'wharf-debounce-last');
  const back = await createQueuePair(emulator, 'wharf-debounce-back');
  const tableName = uniqueName('wharf-jobs');
  await createJobTable(emulator.setup.dynamodb, tableName);
  const job = defineJob({
    name: 'noop',
    schema: noopPayloadSchema,
    debounce: { key: (p) => `burst-${Math.floor(p.i / size)}`, wait: { ms: WAIT_MS } },
    perform: () => undefined,
  });
  const registry = createRegistry([job]);
  const isLast = (body: string) =>
    (JSON.parse(body) as { payload: NoopPayload }).payload.i % size === size - 1;
  const toEarly = compressDelays(transportTo(emulator, log, 'producer', early));
  const toLast = compressDelays(transportTo(emulator, log, 'producer', last));
  const client = createClient({
    transport: {
      send: (queue, messages) =>
        isLast(messages[0]!.body) ? toLast.send(queue, messages) : toEarly.send(queue, messages),
      sendToDeadLetter: (queue, message) => toEarly.sendToDeadLetter(queue, message),
    },
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'producer'), tableName }),
    clock,
  });
  let ran = 0;
  let putOff = 0;
  const worker = createLambdaHandler({
    registry,
    queue: 'default',
    clock,
    transport: compressDelays(transportTo(emulator, log, 'worker', back)),
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName }),
    onEvent: (event) => {
      if (event.type === 'succeeded') ran++;
      if (event.type === 'deferred' && event.why === 'debounce') putOff++;
    },
  });
  const run = (e: Parameters<typeof worker>[0], c: Parameters<typeof worker>[1]) => worker(e, c);
  for (let i = 0; i < bursts * size; i++) await client.enqueue(job.with({ i }));
  const esm = emulator.sqs(log, 'esm');
  clock.advance(WAIT_MS);
  // The earlier messages: each finds a later token, and is put off past the burst's due time and the grace.
  const first = await deliver(esm, early, run, bursts * (size - 1));
  // The last message of each burst runs it.
  const second = await deliver(esm, last, run, bursts);
  // Past the grace, the messages put off find their burst taken, and are acknowledged unrun.
  clock.advance(PAST_GRACE_MS);
  const third = await deliver(esm, back, run, putOff);
  if (ran !== bursts) throw new Error(`${ran} runs for ${bursts} bursts`);
  if (putOff !== bursts * (size - 1)) throw new Error(`${putOff} deferrals, not one per earlier message`);
  return {
    label: `wharf tracked + debounce, bursts of ${size}`,
    log,
    jobs: bursts * size,
    lambdaInvocations: first.invocations + second.invocations + third.invocations,
    schedulerInvocations: 0,
    tables: [tableName],
  };
}
